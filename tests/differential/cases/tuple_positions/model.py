import torch
import pyro
import pyro.distributions as dist


# Tuples keep one value per position in the numeric analysis: the positive
# element proves a scale, the other positions keep their own kinks and jumps.
def split(z):
    return torch.exp(z), z


def model():
    z = pyro.sample('z', dist.Normal(0., 1.))
    w = pyro.sample('w', dist.Normal(0., 1.))
    s, r = split(z)
    pyro.sample('a', dist.Normal(w, s), obs=torch.tensor(0.3))
    t = (r, s)
    pyro.sample('b', dist.Normal(0., t[0].abs() + 0.5), obs=torch.tensor(0.1))
    u = (w, z) if w > 0.2 else (z, w)
    pyro.sample('c', dist.Normal(u[0], 1.), obs=torch.tensor(0.2))
    v = (torch.relu(w), s)
    pyro.sample('d', dist.Normal(v[-2], v[-1]), obs=torch.tensor(-0.4))
