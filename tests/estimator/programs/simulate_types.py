"""Types of simulated data (test_simulate.py): Categorical draws are int64 in torch, so `ids` is written as
integer data and indexes `w` when read back; Bernoulli draws are floats."""
import torch
import pyro
import pyro.distributions as dist


def model(ids, flips):
    with pyro.plate("n", 6):
        pyro.sample("i", dist.Categorical(torch.ones(4) / 4), obs=ids)
        pyro.sample("f", dist.Bernoulli(0.3), obs=flips)


def indexed(ids, flips):
    w = pyro.param("w", torch.tensor([0.1, 0.2, 0.3, 0.4]))
    with pyro.plate("n", 6):
        pyro.sample("y", dist.Normal(w[ids], 1.0), obs=flips)


def guide(ids, flips):
    pass
