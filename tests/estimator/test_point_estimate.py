#!/usr/bin/env python3
"""Point estimates (issue 10: lda's doc_topics, AutoDelta): a Delta guide over a model density is a support mismatch
for the analysis (no ELBO exists), but `svic run` trains Pyro's objective there, the log joint at the point (MAP),
with a located warning; its optimum is known in closed form for these models (AutoDelta on a Gamma-Poisson rate, a
hand-written Delta(..., event_dim=1) on a Dirichlet). A log_density other than 0 is refused at its location.
scatter_add_ (lda's guide) in place and as a function, with src larger than the index and the index narrower than
self: the ELBO equals torch's and its gradient central finite differences of torch's (Debian's torch, float64;
torch 1.13's own backward rejects a src larger than the index).

Usage: test_point_estimate.py SVIC_BINARY
"""
import json
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/point_estimate.py"
DATA = {"counts": [3, 0, 2, 5], "words": [0, 0, 0, 1, 1, 2], "idx": [[0, 3], [0, 1], [2, 3]],
        "y": [[1.0, 0.5], [0.0, 2.0], [3.0, -1.0], [0.2, 0.1]]}

TORCH = r'''
import json, sys, torch
import torch.distributions as D
torch.set_default_dtype(torch.float64)
d = {k: torch.tensor(v) for k, v in json.loads(sys.argv[1]).items()}


def elbo(w):
    counts = torch.zeros(4, 2).scatter_add_(0, d["idx"], w * w)
    wide = torch.ones(4, 2).scatter_add_(1, d["idx"][:2, :1], torch.exp(w))
    return D.Normal(counts, 1.0).log_prob(d["y"]).sum() + D.Normal(wide[:3], 2.0).log_prob(d["y"][:3]).sum()


w = torch.tensor([[0.5, -1.0], [2.0, 0.3], [1.5, 0.7]])
e = elbo(w)
fd = []
for i in range(w.numel()):
    h = torch.zeros(w.numel())
    h[i] = 1e-6
    h = h.reshape(w.shape)
    fd.append(((elbo(w + h) - elbo(w - h)) / 2e-6).item())
print(json.dumps({"elbo": e.item(), "fd": fd}))
'''


class PointEstimate(S.TempDirTest):
    def data(self):
        path = self.path("d.json")
        with open(path, "w") as f:
            json.dump(DATA, f)
        return path

    def map_params(self, model_fn, guide_fn):
        out = self.path(model_fn + ".params.json")
        r = S.run("run", PROG, "--model-fn", model_fn, "--guide-fn", guide_fn, "--data", self.data(),
                  "--steps", 1500, "--lr", 0.05, "--params-out", out)
        self.assertEqual(r.returncode, 0, S.describe(r))
        with open(out) as f:
            return json.load(f), r

    def test_autodelta_trains_the_map_estimate(self):
        params, r = self.map_params("rate_model", "AutoDelta")
        self.assertAlmostEqual(params["AutoDelta.rate"], 2.2, delta=0.01)
        self.assertIn("point_estimate.py:12:12: warning: 'rate' is trained as a point estimate", r.stderr)

    def test_delta_with_event_dim_trains_the_map_estimate(self):
        params, _ = self.map_params("mix_model", "mix_guide")
        z = [2.718281828459045 ** v for v in params["logits"]]
        for got, want in zip([v / sum(z) for v in z], [4 / 9, 3 / 9, 2 / 9]):
            self.assertAlmostEqual(got, want, delta=0.005)

    def test_log_density_is_refused_at_its_location(self):
        r = S.run("grad", PROG, "--model-fn", "mix_model", "--guide-fn", "weighted_guide", "--data", self.data())
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("point_estimate.py:34:26: error: Delta with a log_density other than 0", r.stderr)

    @unittest.skipUnless(S.have_torch(), "Debian's python3-torch is not installed")
    def test_scatter_add_equals_torch_and_finite_differences(self):
        want = S.torch_reference(TORCH, DATA)
        out, _ = S.grad([PROG, "--model-fn", "scatter_model", "--guide-fn", "scatter_guide", "--data", self.data()],
                        1)
        self.assertAlmostEqual(out["elbo"]["mean"], want["elbo"], places=10)
        got = out["gradient"]["w"]["mean"]
        self.assertEqual(len(got), len(want["fd"]))
        for g, f in zip(got, want["fd"]):
            self.assertAlmostEqual(g, f, places=6)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
