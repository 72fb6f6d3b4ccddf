#!/usr/bin/env python3
"""OneHotCategorical: the ELBO of observed one-hot rows is sum_i log p[k_i] (probs normalised by their sum, or
softmax of logits), its gradient in the logits is counts - N softmax(logits) and in unnormalised probs w it is
counts / w - N / sum(w); `svic simulate` draws valid one-hot rows with the right frequencies.

Usage: test_onehot.py SVIC_BINARY
"""
import json
import math
import os
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/onehot.py"
Y = [[0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
COUNTS = [1, 1, 2]


class OneHot(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = cls.path("y.json")
        with open(cls.data, "w") as f:
            json.dump({"y": Y}, f)

    def grad(self, fn):
        out, _ = S.grad([PROG, "--model-fn", fn, "--guide-fn", "guide", "--data", self.data], 1)
        return out

    def test_logits(self):
        logits = [0.5, -1.0, 2.0]
        z = math.log(sum(math.exp(l) for l in logits))
        logp = [l - z for l in logits]
        out = self.grad("model_logits")
        self.assertAlmostEqual(out["elbo"]["mean"], sum(c * lp for c, lp in zip(COUNTS, logp)), places=12)
        want = [c - 4 * math.exp(lp) for c, lp in zip(COUNTS, logp)]
        for g, w in zip(out["gradient"]["logits"]["mean"], want):
            self.assertAlmostEqual(g, w, places=12)

    def test_unnormalised_probs(self):
        w = [1.0, 3.0, 4.0]
        out = self.grad("model_probs")
        self.assertAlmostEqual(out["elbo"]["mean"], sum(c * math.log(x / 8) for c, x in zip(COUNTS, w)), places=12)
        for g, c, x in zip(out["gradient"]["w"]["mean"], COUNTS, w):
            self.assertAlmostEqual(g, c / x - 4 / 8, places=12)

    def test_simulated_rows_are_one_hot_with_the_right_frequencies(self):
        out = self.path("sim.json")
        r = S.run("simulate", PROG, "--model-fn", "model_probs", "-o", out, "--n", 2000, "--seed", 3)
        self.assertEqual(r.returncode, 0, S.describe(r))
        with open(out) as f:
            draws = json.load(f)["y"]
        rows = [row for d in draws for row in d]
        self.assertEqual(len(rows), 8000)
        self.assertTrue(all(sorted(row) == [0, 0, 1] for row in rows))
        for j, p in enumerate([1 / 8, 3 / 8, 4 / 8]):
            freq = sum(row[j] for row in rows) / len(rows)
            self.assertLess(abs(freq - p), 4 * math.sqrt(p * (1 - p) / len(rows)), (j, freq))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
