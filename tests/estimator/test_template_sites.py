#!/usr/bin/env python3
"""The auto estimator reparameterises every site of a template the analysis selects (`z_{}` covers z_0, z_1, z_2:
tests/estimator/programs/template_sites.py), and `--estimator pathwise` accepts them.

Usage: test_template_sites.py SVIC_BINARY
"""
import sys
import unittest

import svic_est as S

PROG = ["tests/estimator/programs/template_sites.py"]


class TemplateSites(unittest.TestCase):
    def test_selected_template_is_pathwise(self):
        for estimator in ("auto", "pathwise"):
            out, _ = S.grad(PROG, 4, estimator=estimator)
            self.assertEqual(out["estimator"]["pathwise"], ["z_0", "z_1", "z_2"], estimator)
            self.assertEqual(out["estimator"]["score"], [], estimator)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
