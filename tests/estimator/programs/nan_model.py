"""A model whose training blows up: with `--optimizer sgd --lr 100` the update of `loc` is about
loc <- -199 loc, so after some tens of steps z * z overflows, the log-density of `z` becomes -inf and the
gradient NaN. `svic run` must stop with exit 2, name the site and the step, and keep the last good checkpoint.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    pyro.sample("x", dist.Normal(z, 1.), obs=torch.tensor(0.))


def guide():
    loc = pyro.param("loc", torch.tensor(1.))
    pyro.sample("z", dist.Normal(loc, 1.))
