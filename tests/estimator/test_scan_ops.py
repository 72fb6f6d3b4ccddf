#!/usr/bin/env python3
"""torch.cumprod, torch.cumsum and F.pad (constant) in the estimator compiler: value and gradient of a factor built
from them equal the same function in Python and its central finite differences (a zero entry in the cumprod too).

Usage: test_scan_ops.py SVIC_BINARY
"""
import sys
import unittest

import svic_est as S

W = [0.9, -1.3, 0.0, 2.1, 0.7]
M = [[0.5, -0.2, 1.1], [0.3, 0.8, -0.6]]
A = [1.0, 2.0, -1.0, 0.5, 3.0, -2.0]


def f(w, m):
    c, p = [1.0], 1.0
    for x in w:
        p *= x
        c.append(p)
    cs = [m[0][:], [m[0][j] + m[1][j] for j in range(3)]]
    # pad (2, 1) on the last dim, (1, 0) on the first, with 0.5
    rows = [[0.5] * 6] + [[0.5, 0.5] + r + [0.5] for r in cs]
    return sum(a * x for a, x in zip(A, c)) + sum(x ** 3 for r in rows for x in r)


class ScanOps(unittest.TestCase):
    def test_value_and_gradient(self):
        out, _ = S.grad(["tests/estimator/programs/scan_ops.py"], 1)
        self.assertAlmostEqual(out["elbo"]["mean"], f(W, M), places=10)
        h = 1e-6
        for i in range(len(W)):
            wp, wm = W[:], W[:]
            wp[i] += h
            wm[i] -= h
            fd = (f(wp, M) - f(wm, M)) / (2 * h)
            self.assertAlmostEqual(out["gradient"]["w"]["mean"][i], fd, places=5, msg="w[%d]" % i)
        g = out["gradient"]["m"]["mean"]
        for i in range(2):
            for j in range(3):
                mp = [r[:] for r in M]
                mm = [r[:] for r in M]
                mp[i][j] += h
                mm[i][j] -= h
                fd = (f(W, mp) - f(W, mm)) / (2 * h)
                self.assertAlmostEqual(g[i * 3 + j], fd, places=5, msg="m[%d][%d]" % (i, j))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
