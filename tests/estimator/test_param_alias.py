#!/usr/bin/env python3
"""`pyro.param("w", w)` as a statement on a module-level tensor aliases it, as Pyro 1.8.6's param store does for an
unconstrained param (the store keeps the tensor object and the optimiser updates it in place): the factor reads the
param and its gradient reaches it. A positive param is a new tensor in Pyro, so there the variable stays a constant
(tests/estimator/programs/param_alias.py).

Usage: test_param_alias.py SVIC_BINARY
"""
import sys
import unittest

import svic_est as S


class ParamAlias(unittest.TestCase):
    def test_unconstrained_param_is_the_variable(self):
        out, _ = S.grad(["tests/estimator/programs/param_alias.py"], 1)
        self.assertAlmostEqual(out["elbo"]["mean"], 0.25 + 1.0 + 6.0, places=12)
        self.assertEqual(out["gradient"]["w"]["mean"], [1.0, -2.0])
        self.assertEqual(out["gradient"]["s"]["mean"], [0.0])
        stepped = S.run("run", "tests/estimator/programs/param_alias.py", "--steps", 3, "--lr", 0.1, check=True)
        w = S.final_json(stepped.stdout)["params"]["w"]
        self.assertGreater(w[0], 0.5)  # the factor grows with |w|: training moves w away from 0
        self.assertLess(w[1], -1.0)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
