#!/usr/bin/env python3
"""Multinomial (issue 10, prodlda): the log-density with probs (total_count an int of the data, as prodlda's
int(torch.max(...))) and with logits equals torch.distributions', and its generated gradient equals torch's
autograd and central finite differences of torch's log-density (Debian's torch, float64). Values Pyro's validation
rejects (a negative count, more than total_count, probs off the simplex) are refused at their site; a tensor
total_count is an error (torch: inhomogeneous total_count is not supported); `svic simulate` draws counts that sum
to total_count with the right means.

Usage: test_multinomial.py SVIC_BINARY
"""
import json
import math
import os
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/multinomial.py"
DATA = {"counts": [[1, 2, 3], [0, 4, 2]], "counts2": [[2, 2, 3], [7, 0, 0]]}

TORCH = r'''
import json, sys, torch
import torch.distributions as D
torch.set_default_dtype(torch.float64)
d = {k: torch.tensor(v) for k, v in json.loads(sys.argv[1]).items()}


def elbo(u, lg):
    n = int(torch.max(torch.sum(d["counts"], -1)))
    return (D.Multinomial(n, torch.softmax(u, -1)).log_prob(d["counts"]).sum()
            + D.Multinomial(7, logits=lg).log_prob(d["counts2"]).sum())


u = torch.tensor([0.2, -0.3, 0.5], requires_grad=True)
lg = torch.tensor([[0.1, -0.3, 0.7], [1.0, 0.0, -2.0]], requires_grad=True)
e = elbo(u, lg)
e.backward()
fd = {}
for name, p in (("u", u), ("lg", lg)):
    g = []
    for i in range(p.numel()):
        h = torch.zeros(p.numel())
        h[i] = 1e-6
        h = h.reshape(p.shape)
        args = {"u": u.detach(), "lg": lg.detach()}
        hi, lo = dict(args), dict(args)
        hi[name], lo[name] = p.detach() + h, p.detach() - h
        g.append(((elbo(**hi) - elbo(**lo)) / 2e-6).item())
    fd[name] = g
print(json.dumps({"elbo": e.item(), "u": u.grad.flatten().tolist(), "lg": lg.grad.flatten().tolist(), "fd": fd}))
'''


class Multinomial(S.TempDirTest):
    def data(self, name, d):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump(d, f)
        return path

    @unittest.skipUnless(S.have_torch(), "Debian's python3-torch is not installed")
    def test_log_density_and_gradient_equal_torch_and_finite_differences(self):
        want = S.torch_reference(TORCH, DATA)
        out, _ = S.grad([PROG, "--data", self.data("d.json", DATA)], 1)
        self.assertAlmostEqual(out["elbo"]["mean"], want["elbo"], places=10)
        for name in ("u", "lg"):
            got = out["gradient"][name]["mean"]
            self.assertEqual(len(got), len(want[name]))
            for g, w, f in zip(got, want[name], want["fd"][name]):
                self.assertAlmostEqual(g, w, places=10, msg=name)
                self.assertAlmostEqual(g, f, places=6, msg=name)

    def test_values_pyro_rejects_are_refused_at_their_site(self):
        for what, d in (("more than total_count", dict(DATA, counts2=[[2, 2, 4], [7, 0, 0]])),
                        ("a negative count", dict(DATA, counts2=[[2, 6, -1], [7, 0, 0]]))):
            with self.subTest(what):
                r = S.run("grad", PROG, "--data", self.data("bad.json", d), "--samples", 1)
                self.assertEqual(r.returncode, 2, S.describe(r))
                self.assertIn("site 'b'", r.stderr)
        r = S.run("grad", PROG, "--model-fn", "unnormalised", "--data", self.data("d.json", DATA), "--samples", 1)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("site 'a'", r.stderr)

    def test_tensor_total_count_is_an_error(self):
        r = S.run("grad", PROG, "--model-fn", "tensor_count", "--data", self.data("d.json", DATA), "--samples", 1)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("multinomial.py:24:", r.stderr)
        self.assertIn("inhomogeneous total_count is not supported", r.stderr)

    def test_simulated_counts(self):
        args = self.data("args.json", {"counts": DATA["counts"]})
        out = self.path("sim.json")
        r = S.run("simulate", PROG, "--data", args, "-o", out, "--n", 2000, "--seed", 4)
        self.assertEqual(r.returncode, 0, S.describe(r))
        with open(out) as f:
            sim = json.load(f)["counts2"]
        self.assertEqual(len(sim), 2000)
        lg = [[0.1, -0.3, 0.7], [1.0, 0.0, -2.0]]
        for row in range(2):
            p = [math.exp(v) / sum(math.exp(w) for w in lg[row]) for v in lg[row]]
            draws = [s[row] for s in sim]
            self.assertTrue(all(sum(c) == 7 and min(c) >= 0 and c == [int(v) for v in c] for c in draws))
            for k in range(3):
                mean = sum(c[k] for c in draws) / len(draws)
                sd = math.sqrt(7 * p[k] * (1 - p[k]) / len(draws))
                self.assertLess(abs(mean - 7 * p[k]), 4 * sd, (row, k, mean, 7 * p[k]))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
