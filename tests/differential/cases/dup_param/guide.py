import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def guide():
    loc = pyro.param('z', torch.tensor(0.))
    pyro.sample('z', dist.Normal(loc, 1.))
