"""A subsampled plate with per-datapoint local latents: each step scores `size` of the N = 40 points, scaled by
N / size as Pyro scales them, and the guide's local params are indexed by the same subsample as the model's data.
With size = 40 the plate is the whole data set (in a random order)."""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

N = 40


def model(x, size=8):
    mu = pyro.sample("mu", dist.Normal(0., 5.))
    with pyro.plate("data", N, subsample_size=size) as ind:
        z = pyro.sample("z", dist.Normal(mu, 1.))
        pyro.sample("x", dist.Normal(z, 0.5), obs=x[ind])


def guide(x, size=8):
    m = pyro.param("m", torch.tensor(0.))
    z_loc = pyro.param("z_loc", torch.zeros(N))
    z_scale = pyro.param("z_scale", torch.ones(N), constraint=constraints.positive)
    pyro.sample("mu", dist.Normal(m, 1.))
    with pyro.plate("data", N, subsample_size=size) as ind:
        pyro.sample("z", dist.Normal(z_loc.index_select(0, ind), z_scale[ind]))
