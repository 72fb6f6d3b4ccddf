"""Helpers shared by the estimator tests (standard library only).

Every test script takes the svic binary as its first argument and runs from the repository root
(ctest sets WORKING_DIRECTORY); `configure(argv)` records the binary and strips it from argv for unittest.
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SVIC = None

SPNOR = ["examples/paper/spnor/model.py", "--guide", "examples/paper/spnor/guide.py"]


def _find_br_reference():
    for cand in (os.path.join(ROOT, "..", "shared", "benchmarks", "br-reference"),
                 "/work/shared/benchmarks/br-reference"):
        if os.path.isfile(os.path.join(cand, "model.py")):
            return os.path.abspath(cand)
    return None


BR_REF = _find_br_reference()
BR = [os.path.join(BR_REF or "", "model.py"), "--data", os.path.join(BR_REF or "", "data.csv")]

# ../shared/benchmarks/br-reference/README.md: Pyro 1.8.6 after 20,000 steps (Adam lr 0.01).
PYRO_BR_ELBO = -242.95
PYRO_BR_PARAMS = {"a": (9.091, 0.0656), "bA": (-1.662, 0.144), "bR": (-0.167, 0.0337),
                  "bAR": (0.152, 0.0897), "sigma_raw": (0.397, 0.0800)}


def pyro_python():
    """The reference Pyro launcher beside the project (../shared/reference/pyro-python), or None."""
    for cand in (os.path.join(ROOT, "..", "shared", "reference", "pyro-python"),
                 "/work/shared/reference/pyro-python"):
        if os.access(cand, os.X_OK):
            return cand
    return None


def have_torch():
    """Whether Debian's python3-torch is installed (the references of the distribution tests)."""
    return subprocess.run(["/usr/bin/python3", "-c", "import torch"], capture_output=True).returncode == 0


def torch_reference(script, data):
    """The JSON that a torch reference script prints, given the data as its argument."""
    return json.loads(subprocess.run(["/usr/bin/python3", "-c", script, json.dumps(data)], capture_output=True,
                                     text=True, check=True).stdout)


class TempDirTest(unittest.TestCase):
    """A test class with one temporary directory for all its tests (cls.tmp), removed after them."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp.name, name)


def configure(argv):
    global SVIC
    if len(argv) < 2:
        sys.exit("usage: %s SVIC_BINARY [unittest args]" % argv[0])
    SVIC = os.path.abspath(argv[1])
    os.chdir(ROOT)
    del argv[1]


def run(*args, timeout=120, check=False):
    """Runs svic with args; returns the CompletedProcess (text mode)."""
    r = subprocess.run([SVIC, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError("svic %s\nexit %d\nstdout:\n%s\nstderr:\n%s"
                             % (" ".join(map(str, args)), r.returncode, r.stdout[-4000:], r.stderr[-4000:]))
    return r


def describe(r):
    return "command: %s\nexit %d\nstdout: %s\nstderr: %s" % (" ".join(map(str, r.args)), r.returncode,
                                                             r.stdout[-3000:], r.stderr[-3000:])


def strict_json(text):
    """json.loads that refuses NaN / Infinity (a checkpoint or report must stay finite and valid JSON)."""
    def bad(c):
        raise ValueError("non-finite constant %s" % c)
    return json.loads(text, parse_constant=bad)


def grad(model_args, samples, seed=1, estimator="auto", threads=1, params=None, extra=(), tmpdir=None):
    """`svic grad ... --format json`; returns (parsed JSON, CompletedProcess)."""
    args = ["grad", *model_args, "--samples", samples, "--seed", seed, "--estimator", estimator,
            "--threads", threads, "--format", "json", *extra]
    if params is not None:
        fd, path = tempfile.mkstemp(suffix=".json", dir=tmpdir)
        with os.fdopen(fd, "w") as f:
            json.dump(params, f)
        args += ["--params", path]
    r = run(*args, check=True)
    try:
        return json.loads(r.stdout), r
    except ValueError as e:
        raise AssertionError("svic grad printed invalid JSON (%s)\n%s" % (e, describe(r)))


def final_json(stdout):
    """The final params JSON of `svic run`: the last top-level JSON object on stdout."""
    text = stdout.strip()
    # Try the whole output, then every '{' at the start of a line from the end backwards.
    try:
        return json.loads(text)
    except ValueError:
        pass
    lines = text.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].lstrip().startswith("{"):
            try:
                return json.loads("\n".join(lines[i:]))
            except ValueError:
                continue
    raise AssertionError("no final JSON object on stdout:\n" + text[-2000:])


def read_trace(path):
    """The --trace CSV as (header, rows as dicts of floats where numeric)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def read_trace_text(text):
    return list(csv.DictReader(text.splitlines()))


def trace_column(rows, name="elbo"):
    if not rows:
        raise AssertionError("empty trace")
    keys = {k.strip().lower(): k for k in rows[0].keys()}
    if name not in keys:
        raise AssertionError("trace has no '%s' column: %s" % (name, list(rows[0].keys())))
    return [float(r[keys[name]]) for r in rows]


def finite(x):
    return isinstance(x, (int, float)) and math.isfinite(x)


def scalar(v):
    """A scalar param value printed as a number or a one-element list."""
    while isinstance(v, list):
        if len(v) != 1:
            raise AssertionError("expected a scalar, got %r" % (v,))
        v = v[0]
    return float(v)


def mean(xs):
    return sum(xs) / len(xs)


def build_aot(program_args, data, tmpdir, name):
    """`svic compile` of program_args specialised to data, linked with aot_main.c; returns the executable's path
    (run it as [exe, DATA, SEED, SAMPLES, THREADS]: it prints the descriptor after a line "descriptor")."""
    so = os.path.join(tmpdir, "lib%s.so" % name)
    run("compile", *program_args, "--data", data, "-o", so, check=True)
    exe = os.path.join(tmpdir, "aot_" + name)
    cmd = ["cc", "-std=c11", "-O1", "-o", exe, os.path.join(HERE, "aot_main.c"),
           "-I", os.path.join(ROOT, "runtime", "include"), so, "-Wl,-rpath," + tmpdir, "-lm"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(r.stderr)
    return exe

