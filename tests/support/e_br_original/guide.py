"""svic support-match corpus: e_br_original, guide side.

Oracle entry "BR example, original" (expected: mismatch).
Written from the artifact's tests/pyro_examples/br_guide0.py (pyro.ai Bayesian regression part II).
The bug: sigma is Normal (support R) here but Uniform(0, 10) in the model.
"""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def guide(is_cont_africa, ruggedness, log_gdp):
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
    mean = a + b_a * is_cont_africa + b_r * ruggedness + b_ar * is_cont_africa * ruggedness
