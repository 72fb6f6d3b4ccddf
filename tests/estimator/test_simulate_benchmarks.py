#!/usr/bin/env python3
"""The four paper pairs whose data `svic simulate` draws through views or around covariates (issue 10) train on
their own draws: air (data[ix] of a 60000 x 50 x 50 argument), dmm (mini_batch[:, t, :] around a given mask),
cvae (ys[xs == -1], ys shaped by --shape) and prodlda (docs redrawn, its Multinomial sized by the given docs).
Each is simulated as test_benchmarks_train.SIMULATED says and runs a few steps with a finite ELBO at every step
(test_benchmarks_train checks that cvae and prodlda improve over 60 steps on such draws; bench/RESULTS.md has the
200-step runs).

Usage: test_simulate_benchmarks.py SVIC_BINARY
"""
import sys
import unittest

import svic_est as S
from test_benchmarks_train import SIMULATED, train

# name -> (steps, lr): air and dmm cost 10-12 s of CPU to compile and about a second per step.
STEPS = {"cvae": (3, 0.003), "prodlda": (3, 0.01), "dmm": (2, 0.001), "air": (2, 0.0003)}


class SimulateBenchmarks(S.TempDirTest):
    def test_every_simulated_pair_is_listed(self):
        self.assertEqual(set(STEPS), set(SIMULATED))

    def test_trains_on_its_own_draws(self):
        for name, (steps, lr) in STEPS.items():
            with self.subTest(name):
                train(self, name, "simulated", steps, lr, timeout=600)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
