"""Bayesian regression (rugged terrain vs. GDP), guide side.  svic benchmark `br`;
entry `main(is_cont_africa, ruggedness, log_gdp)`.

Mean-field Normal guide. Scales are positive-constrained params; the three
slopes share the vector params weights_loc / weights_scale (indexed 0..2).

Expected smoothness (oracle): every latent (a, bA, bR, bAR, sigma) and every
param (a_loc, a_scale, sigma_loc, weights_loc, weights_scale) diff. The scales
are proved > 0 from `constraint=constraints.positive`.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

softplus = nn.Softplus()


def main(is_cont_africa, ruggedness, log_gdp):
    is_cont_africa = torch.reshape(is_cont_africa, [170])
    ruggedness = torch.reshape(ruggedness, [170])
    log_gdp = torch.reshape(log_gdp, [170])

    a_loc = pyro.param("a_loc", torch.tensor(0.))
    a_scale = pyro.param("a_scale", torch.tensor(1.), constraint=constraints.positive)
    sigma_loc = pyro.param("sigma_loc", torch.tensor(1.), constraint=constraints.positive)
    weights_loc = pyro.param("weights_loc", torch.rand(3))
    weights_scale = pyro.param("weights_scale", torch.ones(3), constraint=constraints.positive)

    a = pyro.sample("a", dist.Normal(a_loc, a_scale))
    b_a = pyro.sample("bA", dist.Normal(weights_loc[0], weights_scale[0]))
    b_r = pyro.sample("bR", dist.Normal(weights_loc[1], weights_scale[1]))
    b_ar = pyro.sample("bAR", dist.Normal(weights_loc[2], weights_scale[2]))
    sigma = pyro.sample("sigma", dist.Normal(sigma_loc, torch.tensor(0.05)))
    sigma = softplus(sigma)

    # Unused by the guide density; kept from the benchmark.
    mean = a + b_a * is_cont_africa + b_r * ruggedness + b_ar * is_cont_africa * ruggedness
