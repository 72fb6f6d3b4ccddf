# A continuous hidden Markov chain written with `with pyro.markov():` inside
# a Python loop and the emission scale shared through a helper, as tutorial
# code does; the guide is a mean-field guide with an early return for T == 0.
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

T = 5


def emission_scale(noisy):
    if noisy:
        return 1.0
    return 0.3


def model(ys, noisy=False):
    x = torch.tensor(0.)
    for t in range(T):
        with pyro.markov():
            x = pyro.sample("x_{}".format(t), dist.Normal(0.9 * x, 1.))
            pyro.sample("y_{}".format(t), dist.Normal(x, emission_scale(noisy)), obs=ys[t])


def guide(ys, noisy=False):
    if T == 0:
        return
    for t in range(T):
        loc = pyro.param("loc_{}".format(t), torch.tensor(0.))
        scale = pyro.param("scale_{}".format(t), torch.tensor(1.),
                           constraint=constraints.positive)
        pyro.sample("x_{}".format(t), dist.Normal(loc, scale))
