"""Bayesian regression (rugged terrain vs. GDP), guide side, as published.

Pyro's "Bayesian Regression - Inference Algorithms (Part 2)" tutorial
(pyro.ai/examples/bayesian_regression_ii.html, retrieved 2019-04-01 for the POPL 2020
support-match paper). Entry `main(is_cont_africa, ruggedness, log_gdp)`.

Mean-field guide. The bug the paper found: `sigma` is drawn from
Normal(sigma_loc, 0.05), support R, while the model's sigma ~ Uniform(0, 10). A draw
below 0 or above 10 has model density 0 (and a negative sigma would become the scale
of the likelihood's Normal). Pyro issue #2047.

Expected support match (oracle "BR example, original"): mismatch at `sigma`; a, bA,
bR, bAR match.
"""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def main(is_cont_africa, ruggedness, log_gdp):
    is_cont_africa = torch.reshape(is_cont_africa, [170])
    ruggedness = torch.reshape(ruggedness, [170])
    log_gdp = torch.reshape(log_gdp, [170])

    a_loc = pyro.param("a_loc", torch.tensor(0.))
    a_scale = pyro.param("a_scale", torch.tensor(1.), constraint=constraints.positive)
    sigma_loc = pyro.param("sigma_loc", torch.tensor(1.), constraint=constraints.positive)
    weights_loc = pyro.param("weights_loc", torch.randn(3))
    weights_scale = pyro.param("weights_scale", torch.ones(3), constraint=constraints.positive)
    a = pyro.sample("a", dist.Normal(a_loc, a_scale))
    b_a = pyro.sample("bA", dist.Normal(weights_loc[0], weights_scale[0]))
    b_r = pyro.sample("bR", dist.Normal(weights_loc[1], weights_scale[1]))
    b_ar = pyro.sample("bAR", dist.Normal(weights_loc[2], weights_scale[2]))
    sigma = pyro.sample("sigma", dist.Normal(sigma_loc, torch.tensor(0.05)))
    # Unused by the guide density; kept from the tutorial.
    mean = a + b_a * is_cont_africa + b_r * ruggedness + b_ar * is_cont_africa * ruggedness
