#!/usr/bin/env python3
"""pyro.plate with subsample_size (issue 10): tests/estimator/programs/subsample.py scores 8 of its 40 points per
sample, scaled by 40 / 8, with per-datapoint guide params indexed by the subsample.

  * the gradient with the subsample equals the whole-data gradient (size 40) within 4 standard errors on every
    param element: subsampling adds variance, not bias; the local params sit 0.2 from their data point, so model
    and guide indexing different points would show as a bias;
  * real Pyro 1.8.6's Trace_ELBO on the same subsampled program agrees within 4 combined standard errors (when
    ../shared/reference is there);
  * `svic simulate` refuses a subsampled plate with a located error.

Usage: test_subsample.py SVIC_BINARY
"""
import json
import math
import os
import random
import subprocess
import unittest

import svic_est as S

PROG = "tests/estimator/programs/subsample.py"
K = 20000
PYRO_SAMPLES = 4000  # the local params' gradients are sparse (in 1 subsample of 5) and heavy-tailed
TOL = 4.0


class Subsample(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = random.Random(2)
        cls.x = [rng.gauss(1.0, 1.2) for _ in range(40)]
        cls.params = {"m": 0.3, "z_loc": [v + 0.2 for v in cls.x], "z_scale": [0.6] * 40}
        cls.data = {}
        for size in (8, 40):
            cls.data[size] = cls.path("x%d.json" % size)
            with open(cls.data[size], "w") as f:
                json.dump({"x": cls.x, "size": size}, f)
        cls.grad = {size: S.grad([PROG, "--data", cls.data[size]], K, seed=3, params=cls.params,
                                 tmpdir=cls.tmp.name)[0]["gradient"] for size in (8, 40)}

    def elements(self, grad):
        return [("%s[%d]" % (p, i), m, s) for p in sorted(grad) for i, (m, s) in
                enumerate(zip(grad[p]["mean"], grad[p]["stderr"]))]

    def test_subsample_gradient_is_the_whole_data_gradient(self):
        sub, full = self.elements(self.grad[8]), self.elements(self.grad[40])
        self.assertEqual(len(sub), 81)
        for (name, ms, ss), (_, mf, sf) in zip(sub, full):
            self.assertLessEqual(abs(ms - mf), TOL * math.hypot(ss, sf), name)
        # The subsample is noisier: most local params are not in a given subsample.
        self.assertGreater(self.grad[8]["z_loc"]["stderr"][0], 2 * self.grad[40]["z_loc"]["stderr"][0])

    @unittest.skipIf(S.pyro_python() is None, "the reference Pyro is not beside the project")
    def test_real_pyro_trace_elbo_agrees(self):
        data, params = self.path("x.json"), self.path("params.json")
        with open(data, "w") as f:
            json.dump({"x": self.x}, f)
        with open(params, "w") as f:
            json.dump(self.params, f)
        r = subprocess.run([S.pyro_python(), os.path.join(S.ROOT, "tests", "estimator", "pyro", "program_grad.py"),
                            PROG, data, params, str(PYRO_SAMPLES), "7"], capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        real = json.loads(r.stdout)
        for (name, ms, ss), (_, mr, sr) in zip(self.elements(self.grad[8]), self.elements(real)):
            self.assertLessEqual(abs(ms - mr), TOL * math.hypot(ss, sr), "%s: svic %g, Pyro %g" % (name, ms, mr))

    def test_simulate_refuses_a_subsampled_plate(self):
        r = S.run("simulate", PROG, "--data", self.data[8], "-o", self.path("sim.json"))
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("subsample.py:14:10: error:", r.stderr)
        self.assertIn("subsample_size", r.stderr)


if __name__ == "__main__":
    import sys
    S.configure(sys.argv)
    unittest.main()
