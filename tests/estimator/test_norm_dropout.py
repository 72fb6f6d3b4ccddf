#!/usr/bin/env python3
"""nn.BatchNorm1d in training mode (batch statistics inside the differentiated function; weight/bias registered as
Pyro names them) and nn.Dropout (a Bernoulli(1 - p) mask scaled by 1 / (1 - p), fresh per sample):
value and gradient against Python and central finite differences, and the dropout mask's statistics.

Usage: test_norm_dropout.py SVIC_BINARY
"""
import math
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/norm_dropout.py"
X = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.9, 1.1], [2.2, -0.4, 0.0]]
C = [[1.0, -2.0, 0.5], [0.3, 1.1, -0.8], [2.0, 0.7, 1.3], [-1.2, 0.4, 0.9]]


def bn(x, eps):
    n = len(x)
    out = [[0.0] * 3 for _ in range(n)]
    for j in range(3):
        col = [r[j] for r in x]
        m = sum(col) / n
        v = sum((a - m) ** 2 for a in col) / n
        for i in range(n):
            out[i][j] = (x[i][j] - m) / math.sqrt(v + eps)
    return out


def f(x, w, b):
    y = bn(x, 1e-5)
    z = bn([[a * a for a in r] for r in x], 0.01)
    return sum((y[i][j] * w[j] + b[j]) ** 3 * C[i][j] + z[i][j] * C[i][j] for i in range(4) for j in range(3))


class NormDropout(unittest.TestCase):
    def test_batchnorm_value_and_gradient(self):
        out, _ = S.grad([PROG, "--model-fn", "model_bn", "--guide-fn", "guide"], 1)
        self.assertEqual(set(out["gradient"]), {"x", "bn$$$weight", "bn$$$bias"})
        w, b = [1.0] * 3, [0.0] * 3
        self.assertAlmostEqual(out["elbo"]["mean"], f(X, w, b), places=9)
        h = 1e-6
        for i in range(4):
            for j in range(3):
                xp = [r[:] for r in X]
                xm = [r[:] for r in X]
                xp[i][j] += h
                xm[i][j] -= h
                fd = (f(xp, w, b) - f(xm, w, b)) / (2 * h)
                self.assertAlmostEqual(out["gradient"]["x"]["mean"][3 * i + j], fd, places=4, msg=(i, j))
        for j in range(3):
            for name, v in (("bn$$$weight", w), ("bn$$$bias", b)):
                vp, vm = v[:], v[:]
                vp[j] += h
                vm[j] -= h
                fd = (f(X, vp, b) - f(X, vm, b)) / (2 * h) if name == "bn$$$weight" else \
                    (f(X, w, vp) - f(X, w, vm)) / (2 * h)
                self.assertAlmostEqual(out["gradient"][name]["mean"][j], fd, places=4, msg=(name, j))

    def test_dropout_mask(self):
        one, _ = S.grad([PROG, "--model-fn", "model_drop", "--guide-fn", "guide"], 1)
        g = one["gradient"]["w"]["mean"]
        self.assertTrue(all(abs(x) < 1e-12 or abs(x - 4.0) < 1e-12 for x in g))  # 3 / (1 - 0.25)
        kept = sum(1 for x in g if x > 0) / len(g)
        self.assertLess(abs(kept - 0.75), 4 * math.sqrt(0.75 * 0.25 / len(g)), kept)
        many, _ = S.grad([PROG, "--model-fn", "model_drop", "--guide-fn", "guide"], 400)
        self.assertLess(abs(many["elbo"]["mean"] - 6000.0), 4 * many["elbo"]["stderr"] + 1e-9)
        g = many["gradient"]["w"]["mean"]
        self.assertLess(abs(sum(g) / len(g) - 3.0), 0.02)  # unbiased: E[mask / (1 - p)] = 1


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
