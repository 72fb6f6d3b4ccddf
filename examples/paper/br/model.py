"""Bayesian regression (rugged terrain vs. GDP), model side.  svic benchmark `br`;
entry `main(is_cont_africa, ruggedness, log_gdp)`.

Five scalar latents: intercept `a`, slopes `bA`, `bR`, `bAR` and a noise level
`sigma`. The benchmark samples sigma from Normal(5, 5) and maps it through
softplus (instead of the tutorial's Uniform(0, 10)), so that the guide's
Normal cannot leave the model's support. 170 observations in one plate.

Expected smoothness (oracle): a, bA, bR, bAR, sigma all diff (only smooth
arithmetic and softplus > 0 as the Normal scale).
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

    a = pyro.sample("a", dist.Normal(0., 10.))
    b_a = pyro.sample("bA", dist.Normal(0., 1.))
    b_r = pyro.sample("bR", dist.Normal(0., 1.))
    b_ar = pyro.sample("bAR", dist.Normal(0., 1.))
    sigma = pyro.sample("sigma", dist.Normal(5., 5.))
    sigma = softplus(sigma)

    mean = a + b_a * is_cont_africa + b_r * ruggedness + b_ar * is_cont_africa * ruggedness
    with pyro.plate("data", 170):
        pyro.sample("obs", dist.Normal(mean, sigma), obs=log_gdp)
