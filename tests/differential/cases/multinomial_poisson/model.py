import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model():
    pyro.sample('z', dist.Multinomial(3, torch.tensor([0.5, 0.5])))
