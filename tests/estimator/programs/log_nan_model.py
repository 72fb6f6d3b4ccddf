"""A model that produces NaN on its first step: log of a latent that is negative with probability 1/2.
`svic run` must stop with exit 2 naming the site (`x`, whose location is NaN, or `z`) and step 0.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    pyro.sample("x", dist.Normal(torch.log(z), 1.), obs=torch.tensor(0.))


def guide():
    loc = pyro.param("loc", torch.tensor(0.))
    pyro.sample("z", dist.Normal(loc, 1.))
