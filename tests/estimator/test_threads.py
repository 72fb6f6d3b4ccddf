#!/usr/bin/env python3
"""Reproducibility: the same seed gives identical `svic grad` output and identical `svic run --trace` with
--threads 1 and --threads 2 (counter-based RNG + fixed-order reduction), and a different seed gives a
different estimate (so the comparison is not vacuous).

Usage: test_threads.py SVIC_BINARY
"""
import os
import sys
import tempfile
import unittest

import svic_est as S

# Timing fields legitimately differ between runs.
VOLATILE = {"nsPerEstimate", "compileMs", "seconds", "ms", "time", "elapsed"}


def stable(report):
    return {k: v for k, v in report.items() if k not in VOLATILE}


class Threads(unittest.TestCase):
    def check_grad(self, model_args, samples):
        one, _ = S.grad(model_args, samples, seed=5, threads=1)
        two, _ = S.grad(model_args, samples, seed=5, threads=2)
        self.assertEqual(stable(one), stable(two))
        other, _ = S.grad(model_args, samples, seed=6, threads=2)
        self.assertNotEqual(stable(one)["gradient"], stable(other)["gradient"])

    def test_grad_spnor(self):
        for k in (1, 7, 100001):
            self.check_grad(S.SPNOR, k)

    def test_grad_spnor_score(self):
        one, _ = S.grad(S.SPNOR, 50001, seed=3, threads=1, estimator="score")
        two, _ = S.grad(S.SPNOR, 50001, seed=3, threads=2, estimator="score")
        self.assertEqual(stable(one), stable(two))

    @unittest.skipUnless(S.BR_REF, "../shared/benchmarks/br-reference not found")
    def test_grad_br(self):
        self.check_grad(S.BR, 20001)

    def run_trace(self, model_args, threads, tmp, extra=()):
        trace = os.path.join(tmp, "trace%d.csv" % threads)
        r = S.run("run", *model_args, "--steps", 300, "--samples", 8, "--seed", 9, "--threads", threads,
                  "--trace", trace, *extra, check=True)
        with open(trace) as f:
            text = f.read()
        return text, S.final_json(r.stdout)

    def check_run(self, model_args, extra=()):
        with tempfile.TemporaryDirectory() as tmp:
            t1, p1 = self.run_trace(model_args, 1, tmp, extra)
            t2, p2 = self.run_trace(model_args, 2, tmp, extra)
        rows1 = S.read_trace_text(t1)
        rows2 = S.read_trace_text(t2)
        self.assertEqual(len(rows1), 300, "the trace should have one row per step")
        keep = [k for k in rows1[0] if k.strip().lower() not in VOLATILE]
        self.assertEqual([[r[k] for k in keep] for r in rows1], [[r[k] for k in keep] for r in rows2])
        self.assertEqual(p1["params"], p2["params"])

    def test_run_trace_spnor(self):
        self.check_run(S.SPNOR)

    def test_run_trace_mixture(self):
        # Score sites in a plate (per-site baselines), a simplex param, Dirichlet: still thread-independent.
        self.check_run(["examples/tutorial/mixture.py", "--data", "tests/estimator/data/mixture.json"])

    @unittest.skipUnless(S.BR_REF, "../shared/benchmarks/br-reference not found")
    def test_run_trace_br(self):
        self.check_run(S.BR)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
