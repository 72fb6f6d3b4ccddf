#!/usr/bin/env python3
"""Golden tests, stanc3 style: run the commands of a suite, compare the record.

usage: run_golden.py --svic PATH [--suite NAME ...]

Each suite is a directory tests/golden/<suite>/ with
  commands.txt     one command per line, starting with `svic` (blank lines and
                   `#` comments are ignored). A `{glob}` in a command expands to
                   one command per matching path (sorted; none when no match),
                   e.g. `svic sites {examples/tutorial/*.py}`.
  <suite>.expected the record: for every command `$ svic ...`, its stdout, its
                   stderr after a `[stderr]` line when not empty, and `[exit N]`.
Commands run from the repository root, so paths in the record are relative.
On a mismatch the unified diff is printed and the exit status is 1. With
SVIC_UPDATE_GOLDEN=1 the expected file is rewritten instead (then review the
diff with git before committing: a golden is reviewed, never accepted blindly).
Python standard library only.
"""
import argparse
import difflib
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GLOB = re.compile(r"\{([^{}]*[*?\[][^{}]*)\}")


def expand(line):
    """A command line with at most one {glob} -> the commands it stands for."""
    m = GLOB.search(line)
    if not m:
        return [line]
    paths = sorted(glob.glob(m.group(1), root_dir=ROOT))
    return [line[:m.start()] + p + line[m.end():] for p in paths]


def commands(suite):
    path = os.path.join(HERE, suite, "commands.txt")
    out = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if not line.startswith("svic ") and line != "svic":
                sys.exit(f"{path}: a command must start with 'svic': {line}")
            out.extend(expand(line))
    return out


def record(svic, suite):
    chunks = []
    env = dict(os.environ, NO_COLOR="1", TERM="dumb")
    for cmd in commands(suite):
        argv = [svic] + cmd.split()[1:]
        try:
            p = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                               timeout=300, env=env)
            stdout, stderr, code = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired:
            stdout, stderr, code = "", "<timed out>\n", "timeout"
        chunk = f"$ {cmd}\n"
        if stdout:
            chunk += stdout if stdout.endswith("\n") else stdout + "\n"
        if stderr:
            chunk += "[stderr]\n" + (stderr if stderr.endswith("\n") else stderr + "\n")
        chunk += f"[exit {code}]\n"
        chunks.append(chunk)
    return "\n".join(chunks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--svic", required=True, help="path to the svic binary")
    ap.add_argument("--suite", action="append",
                    help="suite to run (default: every directory with a commands.txt)")
    args = ap.parse_args()
    svic = os.path.abspath(args.svic)
    suites = args.suite or sorted(
        d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "commands.txt")))
    update = os.environ.get("SVIC_UPDATE_GOLDEN") == "1"
    failed = 0
    for suite in suites:
        actual = record(svic, suite)
        expected_path = os.path.join(HERE, suite, suite + ".expected")
        if update:
            with open(expected_path, "w", encoding="utf-8") as f:
                f.write(actual)
            print(f"{suite}: updated {os.path.relpath(expected_path, ROOT)}")
            continue
        try:
            with open(expected_path, encoding="utf-8") as f:
                expected = f.read()
        except FileNotFoundError:
            expected = ""
        if actual == expected:
            print(f"{suite}: ok")
            continue
        failed += 1
        print(f"{suite}: MISMATCH (SVIC_UPDATE_GOLDEN=1 rewrites the expected file)")
        sys.stdout.writelines(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=os.path.relpath(expected_path, ROOT), tofile="actual"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
