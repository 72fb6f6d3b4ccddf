"""Sequences of different lengths, as dmm reads them: each length (a data value) fixes a slice bound and the
size of a torch.arange, so the program compiles only for given lengths. Used by test_fixed_data.py."""
import torch
import pyro
import pyro.distributions as dist


def model(x, lengths):
    loc = pyro.param("loc", torch.zeros(4))
    z = pyro.sample("z", dist.Normal(loc, 1.0).to_event(1))
    out = torch.zeros(3, 4)
    for b in range(3):
        T = lengths[b]
        # Reverse the first T entries of row b into out[b, 0:T] (the rest stays 0).
        steps = torch.arange(T - 1, -1, -1)
        out[b, 0:T] = torch.index_select(x[b, :], 0, steps)
        pyro.sample("obs_{}".format(b), dist.Normal(z[0:T], 1.0).to_event(1), obs=out[b, 0:T])


def guide(x, lengths):
    m = pyro.param("m", torch.zeros(4))
    pyro.sample("z", dist.Normal(m, 1.0).to_event(1))


def latent_bound(x, lengths):
    """The bound depends on a latent: never fixed, even with the data given."""
    z = pyro.sample("z", dist.Normal(2.0, 1.0))
    pyro.sample("obs", dist.Normal(torch.zeros(int(z)), 1.0).to_event(1), obs=x[0, 0:2])


def param_bound(x, lengths):
    """The bound depends on a param: never fixed."""
    n = pyro.param("n", torch.tensor(2.0))
    pyro.sample("obs", dist.Normal(torch.arange(n), 1.0).to_event(1), obs=x[0, 0:2])


def latent_guide(x, lengths):
    pyro.sample("z", dist.Normal(2.0, 1.0))


def empty_guide(x, lengths):
    pass
