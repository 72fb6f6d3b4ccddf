import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def guide():
    rate = pyro.param('rate', torch.ones(2), constraint=constraints.positive)
    pyro.sample('z', dist.Poisson(rate).to_event(1))
