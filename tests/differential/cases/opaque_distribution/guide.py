import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def guide():
    m = pyro.param('m', torch.tensor(0.))
    s = pyro.param('s', torch.tensor(1.), constraint=constraints.positive)
    pyro.sample('u', dist.Normal(m, s))
    pyro.sample('k', dist.Normal(-m, s))
    pyro.sample('g', dist.Normal(m, 2. * s))
    pyro.sample('w', dist.Normal(m, s))
    pyro.sample('v', dist.Normal(m, s))
