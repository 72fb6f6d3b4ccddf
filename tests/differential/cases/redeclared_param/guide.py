import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def guide():
    pyro.param('s', torch.tensor(1.))
    s = pyro.param('s', torch.tensor(1.), constraint=constraints.positive)
    pyro.sample('z', dist.Exponential(s))
