#!/usr/bin/env python3
"""Issue 10: CPU time per SVI step of every paper benchmark svic compiles, on data from `svic simulate`
(or given, or generated as tests/estimator/test_benchmarks_train.py generates it, where simulate cannot draw it),
one sample per step.

Usage: python3 bench/paper_steps.py [SVIC_BINARY [BENCHMARK...]]   (from the repository root; default: all)
Per step = (CPU of `svic run --steps N` - CPU of `--steps 0`) / N (N per benchmark, below), so loading and JIT compilation are
excluded; CPU is user + sys of the child (resource.getrusage), which a loaded machine inflates less than wall time.
"""
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "estimator"))
from test_benchmarks_train import GENERATED  # noqa: E402  (cvae's, prodlda's and mhmm's data, from a fixed seed)

SVIC = sys.argv[1] if len(sys.argv) > 1 else "build/driver/svic"
STEPS = {"spnor": 200000, "br": 20000, "csis": 200000, "dpmm": 2000, "vae": 20, "ssvae": 20, "sgdef": 20, "cvae": 100,
         "prodlda": 100, "mhmm": 20000}


def br_covariates():
    with open("examples/data/br.csv") as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in ("is_cont_africa", "ruggedness")}


# name -> ("simulate", arguments not drawn) or ("given", data)
PAIRS = {"spnor": None, "br": ("simulate", br_covariates()), "csis": ("given", {"observations": {"x1": 0.5, "x2": 2.5}}),
         "dpmm": ("simulate", {"T": 20, "N": 320, "alpha": 1.1}), "vae": ("simulate", {}), "ssvae": ("simulate", {}),
         "sgdef": ("simulate", {}), "cvae": ("generated", None), "prodlda": ("generated", None),
         "mhmm": ("generated", None)}


def cpu_of(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    print("| benchmark | data | CPU ms / step |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, how in PAIRS.items():
            if len(sys.argv) > 2 and name not in sys.argv[2:]:
                continue
            d = "examples/paper/%s/" % name
            data, shape = [], "none"
            if how:
                given = GENERATED[name](random.Random(0)) if how[0] == "generated" else how[1]
                args = os.path.join(tmp, name + "_args.json")
                with open(args, "w") as f:
                    json.dump(given, f)
                path = args
                if how[0] == "simulate":
                    path = os.path.join(tmp, name + ".npz")
                    r = subprocess.run([SVIC, "simulate", d + "model.py", "--data", args, "-o", path, "--seed", "1"],
                                       check=True, capture_output=True, text=True)
                    shape = r.stderr.strip().split("(drawn: ", 1)[-1].rstrip(")")
                else:
                    shape = how[0] if how[0] == "given" else ", ".join(
                        "%s %s" % (k, [len(v), len(v[0])]) if isinstance(v, list) else k for k, v in given.items())
                data = ["--data", path]
            run = [SVIC, "run", d + "model.py", "--guide", d + "guide.py", *data, "--seed", "2"]
            t0 = cpu_of(run + ["--steps", "0"])
            t1 = cpu_of(run + ["--steps", str(STEPS[name])])
            print("| %s | %s | %.4g |" % (name, shape, 1000 * (t1 - t0) / STEPS[name]), flush=True)


if __name__ == "__main__":
    main()
