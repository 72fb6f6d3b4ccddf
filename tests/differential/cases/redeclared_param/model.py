import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model():
    pyro.sample('z', dist.Exponential(1.))
