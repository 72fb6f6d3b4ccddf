#!/usr/bin/env python3
"""MaskedMixture(mask, component0, component1) observed: component1's log-density where the mask holds, component0's
elsewhere (torch.where, as Pyro); Delta(v): 0 at v, -inf elsewhere. ELBO and gradient against hand-computed sums,
and a drawn MaskedMixture is a located refusal.

Usage: test_masked_mixture.py SVIC_BINARY
"""
import json
import math
import os
import sys
import tempfile
import unittest

import svic_est as S

MISSING = 1e-6
X = [0.8, MISSING, 2.5, MISSING, 0.3]


class MaskedMixture(unittest.TestCase):
    def test_observed_zero_inflated_gamma(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "d.json")
            with open(data, "w") as f:
                json.dump({"x": X, "missing": MISSING}, f)
            out, _ = S.grad(["tests/estimator/programs/masked_mixture.py", "--data", data], 1)
        rate, kept = 1.5, [x for x in X if x != MISSING]
        # Gamma(2, rate): 2 log rate + log x - rate x - lgamma(2); the Delta terms are log 1 = 0.
        want = sum(2 * math.log(rate) + math.log(x) - rate * x - math.lgamma(2.0) for x in kept)
        self.assertAlmostEqual(out["elbo"]["mean"], want, places=12)
        # d/d log(rate) (positive constraint: rate = exp(u)) = rate * sum(2 / rate - x).
        self.assertAlmostEqual(out["gradient"]["rate"]["mean"][0] if isinstance(out["gradient"]["rate"]["mean"], list)
                               else out["gradient"]["rate"]["mean"], rate * sum(2 / rate - x for x in kept), places=10)

    def test_drawing_one_is_refused_where_it_is_drawn(self):
        with tempfile.TemporaryDirectory() as tmp:
            prog = os.path.join(tmp, "draw.py")
            with open(prog, "w") as f:
                f.write("import torch\nimport pyro\nimport pyro.distributions as dist\n\n\ndef model():\n"
                        "    pyro.sample('z', dist.MaskedMixture(torch.tensor([True, False]), dist.Normal(0.0, 1.0), "
                        "dist.Normal(1.0, 1.0)))\n\n\ndef guide():\n"
                        "    pyro.sample('z', dist.MaskedMixture(torch.tensor([True, False]), dist.Normal(0.0, 1.0), "
                        "dist.Normal(1.0, 1.0)))\n")
            r = S.run("grad", prog, "--samples", 1)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertRegex(r.stderr, r"draw\.py:11:5: error: drawing from a MaskedMixture")


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
