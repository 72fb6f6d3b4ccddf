#!/usr/bin/env python3
"""Laplace, Cauchy, HalfCauchy, StudentT, Geometric (probs, logits), Binomial and ZeroInflatedNegativeBinomial: the ELBO of observed values and its
gradient in every parameter equal torch.distributions' log_prob and autograd (Debian's torch, float64); `svic
simulate` draws each with the right moments (or quantiles, for the Cauchys). VonMises (observed only: it has no
sampler yet) equals torch's on both sides of its log I0 approximation's switch at concentration 3.75.

Usage: test_more_dists.py SVIC_BINARY
"""
import json
import math
import os
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/more_dists.py"
DATA = {"a": [0.1, -2.0, 3.5, 0.3, 1.0, -0.7], "c": [10.0, -3.0, 0.2, 0.0, 1.5, -40.0],
        "h": [0.0, 0.5, 2.0, 9.0, 0.01, 3.3], "t": [-1.0, 0.0, 2.5, 7.0, -0.3, 0.9],
        "g": [0, 1, 2, 5, 0, 3], "gl": [4, 0, 1, 1, 2, 0], "b": [0, 7, 3, 2, 5, 1], "z": [0, 0, 3, 1, 12, 0]}

TORCH = r'''
import json, sys, torch
import torch.distributions as D
torch.set_default_dtype(torch.float64)
d = {k: torch.tensor(v, dtype=torch.float64) for k, v in json.loads(sys.argv[1]).items()}
loc = torch.tensor(0.3, requires_grad=True)
scale = torch.tensor(1.7, requires_grad=True)
df = torch.tensor(4.5, requires_grad=True)
p = torch.tensor(0.35, requires_grad=True)
logit = torch.tensor(-0.4, requires_grad=True)
gate = torch.tensor(0.8, requires_grad=True)
# Pyro 1.8.6's ZeroInflatedDistribution.log_prob (gate_logits form) over torch's NegativeBinomial.
F = torch.nn.functional
lpmg = -gate + D.NegativeBinomial(df, logits=logit).log_prob(d["z"])
log_gate = -F.softplus(-gate)
zinb = torch.where(d["z"] == 0, F.softplus(lpmg) + log_gate, lpmg + log_gate)
elbo = (zinb.sum() + D.Laplace(loc, scale).log_prob(d["a"]).sum() + D.Cauchy(loc, scale).log_prob(d["c"]).sum()
        + D.HalfCauchy(scale).log_prob(d["h"]).sum() + D.StudentT(df, loc, scale).log_prob(d["t"]).sum()
        + D.Geometric(p).log_prob(d["g"]).sum() + D.Geometric(logits=logit).log_prob(d["gl"]).sum()
        + D.Binomial(7, p).log_prob(d["b"]).sum())
elbo.backward()
# svic's gradient is in the unconstrained values: d/d log(scale) = scale * d/d scale, d/d logit(p) = p (1 - p) d/dp.
print(json.dumps({"elbo": elbo.item(), "loc": loc.grad.item(), "scale": (scale.grad * scale).item(),
                  "df": (df.grad * df).item(), "p": (p.grad * p * (1 - p)).item(), "logit": logit.grad.item(),
                  "gate": gate.grad.item()}))
'''


VON_MISES = r'''
import json, sys, torch
import torch.distributions as D
torch.set_default_dtype(torch.float64)
d = {k: torch.tensor(v, dtype=torch.float64) for k, v in json.loads(sys.argv[1]).items()}
loc = torch.tensor(0.3, requires_grad=True)
scale = torch.tensor(1.7, requires_grad=True)
df = torch.tensor(4.5, requires_grad=True)
elbo = D.VonMises(loc, scale).log_prob(d["a"]).sum() + D.VonMises(loc, df).log_prob(d["t"]).sum()
elbo.backward()
print(json.dumps({"elbo": elbo.item(), "loc": loc.grad.item(), "scale": (scale.grad * scale).item(),
                  "df": (df.grad * df).item()}))
'''


class MoreDists(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = cls.path("d.json")
        with open(cls.data, "w") as f:
            json.dump(DATA, f)

    @unittest.skipUnless(S.have_torch(), "Debian's python3-torch is not installed")
    def test_log_densities_and_gradients_equal_torch(self):
        want = S.torch_reference(TORCH, DATA)
        out, _ = S.grad([PROG, "--data", self.data], 1)
        self.assertAlmostEqual(out["elbo"]["mean"], want["elbo"], places=10)
        for name in ("loc", "scale", "df", "p", "logit", "gate"):
            self.assertAlmostEqual(out["gradient"][name]["mean"][0], want[name], places=9, msg=name)

    @unittest.skipUnless(S.have_torch(), "Debian's python3-torch is not installed")
    def test_von_mises_equals_torch(self):
        want = S.torch_reference(VON_MISES, DATA)
        out, _ = S.grad([PROG, "--model-fn", "von_mises", "--data", self.data], 1)
        self.assertAlmostEqual(out["elbo"]["mean"], want["elbo"], places=10)
        for name in ("loc", "scale", "df"):
            self.assertAlmostEqual(out["gradient"][name]["mean"][0], want[name], places=9, msg=name)

    def test_von_mises_is_not_drawn(self):
        r = S.run("grad", PROG, "--model-fn", "von_mises_latent", "--guide-fn", "von_mises_latent", "--data",
                  self.data, "--samples", 1)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("more_dists.py:", r.stderr)
        self.assertIn("drawing from a VonMises", r.stderr)

    def test_outside_the_support_is_refused_at_its_site(self):
        bad = dict(DATA, g=[0, 1, 2.5, 5, 0, 3])
        path = self.path("bad.json")
        with open(path, "w") as f:
            json.dump(bad, f)
        r = S.run("grad", PROG, "--data", path, "--samples", 1)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("site 'g'", r.stderr)

    def test_simulated_moments(self):
        out = self.path("sim.json")
        r = S.run("simulate", PROG, "-o", out, "--n", 3000, "--seed", 2)
        self.assertEqual(r.returncode, 0, S.describe(r))
        with open(out) as f:
            sim = json.load(f)
        flat = {k: [x for row in v for x in row] for k, v in sim.items()}
        n = len(flat["a"])
        self.assertEqual(n, 18000)

        def mean(xs):
            return sum(xs) / len(xs)

        def var(xs):
            m = mean(xs)
            return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)

        def near(got, want, sd, what):
            self.assertLess(abs(got - want), 4 * sd / math.sqrt(n), (what, got, want))

        loc, scale, df, p, q = 0.3, 1.7, 4.5, 0.35, 1 / (1 + math.exp(0.4))
        near(mean(flat["a"]), loc, scale * math.sqrt(2), "laplace mean")
        self.assertLess(abs(var(flat["a"]) / (2 * scale ** 2) - 1), 0.1)
        for key, center in (("c", loc), ("h", 0.0)):
            xs = sorted(flat[key])
            if key == "c":  # median loc, quartiles loc -+ scale
                self.assertLess(abs(xs[n // 2] - loc), 0.1)
                self.assertLess(abs(xs[n // 4] - (loc - scale)), 0.15)
            else:  # HalfCauchy: median scale, all >= 0
                self.assertGreaterEqual(xs[0], 0.0)
                self.assertLess(abs(xs[n // 2] - scale), 0.15)
        near(mean(flat["t"]), loc, scale * math.sqrt(df / (df - 2)), "studentt mean")
        self.assertLess(abs(var(flat["t"]) / (scale ** 2 * df / (df - 2)) - 1), 0.2)
        for key, pr in (("g", p), ("gl", q)):
            self.assertTrue(all(x >= 0 and x == int(x) for x in flat[key]))
            near(mean(flat[key]), (1 - pr) / pr, math.sqrt(1 - pr) / pr, key + " mean")
        self.assertTrue(all(0 <= x <= 7 and x == int(x) for x in flat["b"]))
        near(mean(flat["b"]), 7 * p, math.sqrt(7 * p * (1 - p)), "binomial mean")
        # ZINB: P(0) = g + (1 - g) (1 - pr)^r, mean (1 - g) r pr / (1 - pr), with pr = sigmoid(logit), g = sigmoid(gate)
        pr, g = q, 1 / (1 + math.exp(-0.8))
        zeros = sum(1 for x in flat["z"] if x == 0) / n
        p0 = g + (1 - g) * (1 - pr) ** df
        self.assertLess(abs(zeros - p0), 4 * math.sqrt(p0 * (1 - p0) / n), (zeros, p0))
        m = (1 - g) * df * pr / (1 - pr)
        self.assertLess(abs(mean(flat["z"]) - m), 0.05 * m + 4 * math.sqrt(var(flat["z"]) / n))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
