"""svic support-match corpus: e_csis, guide side.

Oracle entry "CSIS example, opposite order" (expected: match).
Written from the artifact's tests/pyro_examples/csis_model.py (pyro.ai CSIS example).
ROLES SWAPPED. CSIS minimises KL(p || q), so the generative program's support must
lie inside the inference network's. svic checks guide support inside model support,
so this pair is given to it the other way round, as in the artifact.
This file holds Pyro's MODEL (the generative program), under the entry name `guide`;
its observed sites x1, x2 are not latent and take no part in the match.
"""
import torch
import pyro
import pyro.distributions as dist


def guide(observations):
    prior_mean = torch.tensor(1.)
    obs = torch.tensor([float(observations["x1"]), float(observations["x2"])])
    x = pyro.sample("z", dist.Normal(prior_mean, torch.tensor(5**0.5)))
    y1 = pyro.sample("x1", dist.Normal(x, torch.tensor(2**0.5)), obs=obs[0])
    y2 = pyro.sample("x2", dist.Normal(x, torch.tensor(2**0.5)), obs=obs[1])
