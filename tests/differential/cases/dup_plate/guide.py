import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def guide():
    with pyro.plate('z', 3):
        pyro.sample('z', dist.Normal(0., 1.))
