#!/usr/bin/env python3
"""An observation smaller than its plates counts once per plate element, as Pyro's plates expand the distribution
(tests/estimator/programs/plate_broadcast.py): the ELBO and its gradient are the closed forms.

Usage: test_plate_broadcast.py SVIC_BINARY
"""
import math
import sys
import unittest

import svic_est as S


def log_normal(x, loc, scale):
    return -0.5 * ((x - loc) / scale) ** 2 - math.log(scale) - 0.5 * math.log(2 * math.pi)


class PlateBroadcast(unittest.TestCase):
    def test_each_plate_element_scores_the_observation(self):
        out, _ = S.grad(["tests/estimator/programs/plate_broadcast.py"], 1)
        locs, ys = [0.1, -0.2, 0.4], [1.0, 0.0, -1.0]
        want = 5 * log_normal(0.5, 0.3, 1.0) + 4 * sum(log_normal(y, m, 2.0) for y, m in zip(ys, locs))
        self.assertAlmostEqual(out["elbo"]["mean"], want, places=10)
        self.assertAlmostEqual(out["gradient"]["loc"]["mean"][0], 5 * (0.5 - 0.3), places=10)
        for k in range(3):
            self.assertAlmostEqual(out["gradient"]["locs"]["mean"][k], 4 * (ys[k] - locs[k]) / 4.0, places=10)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
