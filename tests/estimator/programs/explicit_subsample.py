# A plate given its minibatch as explicit indices (pyro.plate(..., subsample=ind)): the plate holds len(ind) of
# its 40 entries, scaled by 40 / len(ind), and `as i` is ind itself, also for a guide that never binds it.
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(x, y, ind):
    slope = pyro.sample("slope", dist.Normal(0., 2.))
    with pyro.plate("points", 40, subsample=ind) as i:
        level = pyro.sample("level", dist.Normal(slope * x[i], 1.))
        pyro.sample("obs", dist.Normal(level, 0.5), obs=y[i])


def guide(x, y, ind):
    loc = pyro.param("loc", torch.tensor(0.3))
    scale = pyro.param("scale", torch.tensor(0.8), constraint=constraints.positive)
    pyro.sample("slope", dist.Normal(loc, scale))
    level_loc = pyro.param("level_loc", torch.linspace(-1., 1., 40))
    with pyro.plate("points", 40, subsample=ind):
        pyro.sample("level", dist.Normal(level_loc[ind], 0.7))
