#!/usr/bin/env python3
"""MultivariateNormal (scale_tril=, and covariance_matrix= through an unrolled Cholesky): the ELBO of observed
vectors and its gradient in loc, the scale_tril and the factor of the covariance equal torch's (float64), and
`svic simulate` draws with the right mean and covariance.

Usage: test_mvn.py SVIC_BINARY
"""
import json
import os
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/mvn.py"
DATA = {"x": [[0.1, -2.0, 3.5], [0.3, 1.0, -0.7], [1.0, 0.0, 2.0], [-1.5, -0.5, 0.5]],
        "y": [[2.0, -1.0, 0.0], [0.5, 0.5, 0.5], [-0.3, -2.2, 4.0], [1.0, 1.0, 1.0]]}
TORCH = r'''
import json, sys, torch
from torch.distributions import MultivariateNormal as MVN
torch.set_default_dtype(torch.float64)
d = {k: torch.tensor(v) for k, v in json.loads(sys.argv[1]).items()}
loc = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
tril = torch.tensor([[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.4, 1.5]], requires_grad=True)
a = torch.tensor([[1.0, 0.2, 0.0], [0.1, 0.9, 0.3], [0.0, -0.4, 1.1]], requires_grad=True)
elbo = MVN(loc, scale_tril=tril).log_prob(d["x"]).sum() + \
    MVN(loc, covariance_matrix=a @ a.T + 0.5 * torch.eye(3)).log_prob(d["y"]).sum()
elbo.backward()
print(json.dumps({"elbo": elbo.item(), "loc": loc.grad.tolist(), "tril": tril.grad.flatten().tolist(),
                  "a": a.grad.flatten().tolist()}))
'''


class Mvn(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = cls.path("d.json")
        with open(cls.data, "w") as f:
            json.dump(DATA, f)

    @unittest.skipUnless(S.have_torch(), "Debian's python3-torch is not installed")
    def test_log_density_and_gradient_equal_torch(self):
        want = S.torch_reference(TORCH, DATA)
        out, _ = S.grad([PROG, "--data", self.data], 1)
        self.assertAlmostEqual(out["elbo"]["mean"], want["elbo"], places=9)
        for name in ("loc", "tril", "a"):
            got = out["gradient"][name]["mean"]
            if name == "tril":  # torch reads only the lower triangle: no gradient above the diagonal
                want[name] = [g if (i // 3) >= (i % 3) else 0.0 for i, g in enumerate(want[name])]
            for i, (g, w) in enumerate(zip(got, want[name])):
                self.assertAlmostEqual(g, w, places=8, msg=(name, i))

    def test_simulated_mean_and_covariance(self):
        out = self.path("sim.json")
        r = S.run("simulate", PROG, "-o", out, "--n", 5000, "--seed", 4)
        self.assertEqual(r.returncode, 0, S.describe(r))
        with open(out) as f:
            xs = [v for draw in json.load(f)["x"] for v in draw]
        n = len(xs)
        loc = [0.5, -1.0, 2.0]
        t = [[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.4, 1.5]]
        cov = [[sum(t[i][k] * t[j][k] for k in range(3)) for j in range(3)] for i in range(3)]
        mean = [sum(x[i] for x in xs) / n for i in range(3)]
        for i in range(3):
            self.assertLess(abs(mean[i] - loc[i]), 4 * (cov[i][i] / n) ** 0.5, i)
            for j in range(3):
                c = sum((x[i] - mean[i]) * (x[j] - mean[j]) for x in xs) / (n - 1)
                self.assertLess(abs(c - cov[i][j]), 0.1 * (cov[i][i] * cov[j][j]) ** 0.5, (i, j, c))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
