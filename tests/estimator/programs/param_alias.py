# pyro.param in statement form on a tensor object (air's initial states): Pyro's param store keeps the object itself
# when the param is unconstrained, so the variable reads the param; a constrained param is a new tensor, and the
# variable keeps its initial value. test_param_alias.py.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

w = nn.Parameter(torch.tensor([0.5, -1.0]))
s = torch.tensor(2.0)


def model():
    pyro.param("w", w)
    pyro.param("s", s, constraint=constraints.positive)
    pyro.factor("f", (w * w).sum() + 3.0 * s)


def guide():
    pass
