#!/usr/bin/env python3
"""Peak memory of `svic analyze` on a generated 20,000-line program (issue 9:
at most 100 MB). The whole-file parse tree alone took 216 MB; the frontend
now parses and converts one statement at a time.

Usage: test_memory.py SVIC_BINARY REPO_ROOT
"""
import os
import resource
import subprocess
import sys
import tempfile

LIMIT_MB = 100


def main():
    svic, root = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        prog = os.path.join(tmp, "m20k.py")
        subprocess.run([sys.executable, os.path.join(root, "bench", "gen_large_model.py"),
                        "20000", prog], check=True)
        r = subprocess.run([svic, "analyze", prog], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, check=False)
    if r.returncode != 0:
        sys.exit(f"svic analyze exited {r.returncode}: {r.stderr[-2000:]}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of svic analyze on 20k lines: {peak_mb:.1f} MB (limit {LIMIT_MB})")
    if peak_mb > LIMIT_MB:
        sys.exit(f"peak RSS {peak_mb:.1f} MB exceeds {LIMIT_MB} MB")


if __name__ == "__main__":
    main()
