"""A model whose weights come from a third-party helper svic cannot see.

The helper may itself call pyro.sample (as pyro.random_module and many
research codebases do), so the sites it draws have no visible partner in
the guide: the support verdict cannot be "match".
"""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

import bayes_layers  # not beside this file: every call into it is opaque


def model(x, y=None):
    noise = pyro.sample("noise", dist.HalfCauchy(1.0))
    layer = bayes_layers.sample_linear("layer", in_features=x.shape[-1], out_features=1)
    mean = layer(x).squeeze(-1)
    with pyro.plate("rows", x.shape[0]):
        pyro.sample("y", dist.Normal(mean, noise), obs=y)


def guide(x, y=None):
    noise_loc = pyro.param("noise_loc", torch.tensor(0.0))
    noise_scale = pyro.param("noise_scale", torch.tensor(0.1), constraint=constraints.positive)
    pyro.sample("noise", dist.LogNormal(noise_loc, noise_scale))
