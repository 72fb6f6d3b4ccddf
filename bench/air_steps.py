#!/usr/bin/env python3
"""Issue 10, air: compile time and CPU time per SVI step of examples/paper/air on the data
tests/estimator/test_benchmarks_train.py generates (data set shape 60000 x 50 x 50, 64 images read).

Usage: python3 bench/air_steps.py [SVIC_BINARY] [STEPS]   (from the repository root)
Compile = CPU of `svic run --steps 0` (loading the data, analysis, lowering, LLVM, JIT) and svic's own compileMs;
per step = (CPU of `--steps N` - CPU of `--steps 0`) / N. CPU is user + sys of the child (resource.getrusage);
wall times are printed beside it, since a loaded machine stretches them.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "estimator"))
from test_benchmarks_train import air_data  # noqa: E402

SVIC = sys.argv[1] if len(sys.argv) > 1 else "build/driver/svic"
STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 10


def measure(args):
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    r = subprocess.run(args, check=True, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), time.time() - t0, after.ru_maxrss, r


def main():
    d = "examples/paper/air/"
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "air.npz")
        air_data(data)
        run = [SVIC, "run", d + "model.py", "--guide", d + "guide.py", "--data", data, "--seed", "2", "--lr", "0.0003"]
        c0, w0, _, r0 = measure(run + ["--steps", "0"])
        c1, w1, rss, _ = measure(run + ["--steps", str(STEPS)])
        compile_ms = json.loads(r0.stdout)["compileMs"] if r0.stdout.strip().startswith("{") else float("nan")
    print("| air | compile: CPU s (wall s) | svic compileMs | per step: CPU ms (wall ms) | peak RSS MB |")
    print("|---|---|---|---|---|")
    print("| data [60000, 50, 50] float32 (64 images read) | %.1f (%.1f) | %.0f | %.0f (%.0f) | %.0f |"
          % (c0, w0, compile_ms, 1000 * (c1 - c0) / STEPS, 1000 * (w1 - w0) / STEPS, rss / 1024))


if __name__ == "__main__":
    main()
