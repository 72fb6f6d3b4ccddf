# Observations smaller than their plates: Pyro's plates expand the distribution, so each is scored once per plate
# element (air's constant aux_{} sites, a scalar observed inside the data plate). test_plate_broadcast.py.
import torch
import pyro
import pyro.distributions as dist


def model():
    loc = pyro.param("loc", torch.tensor(0.3))
    locs = pyro.param("locs", torch.tensor([0.1, -0.2, 0.4]))
    with pyro.plate("p", 5):
        pyro.sample("x", dist.Normal(loc, 1.), obs=torch.tensor(0.5))
    with pyro.plate("a", 4, dim=-2):
        pyro.sample("y", dist.Normal(locs, 2.), obs=torch.tensor([1.0, 0.0, -1.0]))


def guide():
    pass
