#!/usr/bin/env python3
"""poutine.mask: a site's log-density counts only where the mask holds (Pyro's scale_and_mask: masked-out terms
are 0, even -inf ones); a constant False mask drops a factor. ELBO and gradient against the hand-computed sums.

Usage: test_mask.py SVIC_BINARY
"""
import json
import math
import os
import sys
import tempfile
import unittest

import svic_est as S

X = [0.3, -1.2, 2.0, 0.7, -0.4]
KEEP = [1, 0, 1, 1, 0]


class Mask(unittest.TestCase):
    def test_masked_terms_count_as_zero(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "d.json")
            with open(data, "w") as f:
                json.dump({"x": X, "keep": KEEP}, f)
            out, _ = S.grad(["tests/estimator/programs/mask.py", "--data", data], 1)
        loc = 0.5
        kept = [x for x, k in zip(X, KEEP) if k]
        want = sum(-0.5 * (x - loc) ** 2 - 0.5 * math.log(2 * math.pi) for x in kept) + sum(-x for x in kept)
        self.assertAlmostEqual(out["elbo"]["mean"], want, places=12)
        self.assertAlmostEqual(out["gradient"]["loc"]["mean"][0], sum(x - loc for x in kept), places=12)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
