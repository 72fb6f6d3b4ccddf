#!/usr/bin/env python3
"""Issue 10's acceptance for the pairs whose data `svic simulate` draws through views or around covariates (air, dmm,
cvae, prodlda): simulate each as tests/estimator/test_benchmarks_train.py's SIMULATED says, then `svic run` 200
steps on the draws (the learning rates of that test), and print CPU and wall time of both, the peak RSS of the run,
and the mean ELBO of the first and last 20 steps with the z-score of the difference (standard errors of the means).

Usage: python3 bench/simulate_train.py [SVIC] [NAME...]   (from the repository root)
"""
import csv
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "estimator"))
import svic_est as S  # noqa: E402
from test_benchmarks_train import SHORT, SIMULATED, TRAINS, simulated_data  # noqa: E402

STEPS = 200


def timed(fn):
    """(fn's result, CPU s of the children it ran, wall s)."""
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    out = fn()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return out, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), time.time() - t0


def mean_se(xs):
    m = sum(xs) / len(xs)
    return m, math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1) / len(xs))


def main():
    S.configure([sys.argv[0], sys.argv[1] if len(sys.argv) > 1 else "build/driver/svic"])
    names = sys.argv[2:] or list(SIMULATED)
    lrs = {name: how[2] for name, how in {**TRAINS, **SHORT}.items()}
    print("| pair | simulate CPU s / wall s | 200 steps CPU s / wall s | peak RSS MB | ELBO first 20 | last 20 | z |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            data, sim_cpu, sim_wall = timed(lambda: simulated_data(name, lambda f: os.path.join(tmp, f)))
            d = "examples/paper/%s/" % name
            trace = os.path.join(tmp, name + ".csv")
            run = ["/usr/bin/time", "-f", "%M", S.SVIC, "run", d + "model.py", "--guide", d + "guide.py", *data,
                   "--steps", str(STEPS), "--lr", str(lrs[name]), "--seed", "3", "--trace", trace]
            r, cpu, wall = timed(lambda: subprocess.run(run, capture_output=True, text=True, check=True))
            rss_mb = int(r.stderr.strip().splitlines()[-1]) / 1024
            with open(trace, newline="") as f:
                elbo = [float(row["elbo"]) for row in csv.DictReader(f)]
            assert len(elbo) == STEPS and all(math.isfinite(e) for e in elbo), name
            (m0, s0), (m1, s1) = mean_se(elbo[:20]), mean_se(elbo[-20:])
            print("| %s | %.1f / %.1f | %.0f / %.0f | %.0f | %.1f | %.1f | %.1f |"
                  % (name, sim_cpu, sim_wall, cpu, wall, rss_mb, m0, m1, (m1 - m0) / math.hypot(s0, s1)), flush=True)


if __name__ == "__main__":
    main()
