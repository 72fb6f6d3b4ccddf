import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def guide():
    s = pyro.param('s', torch.tensor(1.))
    pyro.sample('z', dist.Uniform(s, s + 1.))
