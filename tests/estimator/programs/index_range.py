# Indices torch checks at run time: a gather by data (ids), a scatter by data
# (words) and a gather by a drawn category (shift moves it out of range when
# it is 1). svic checks the data it is given when it compiles and every index
# again when the compiled program runs.
import torch
import pyro
import pyro.distributions as dist


def model(ids, words, y, shift):
    w = pyro.param("w", torch.zeros(3))
    counts = torch.zeros(4).scatter_add_(0, words, torch.ones(5))
    z = pyro.sample("z", dist.Categorical(torch.ones(3) / 3))
    with pyro.plate("n", 4):
        pyro.sample("y", dist.Normal(w[ids] + counts + w[z + shift], 1.0), obs=y)


def guide(ids, words, y, shift):
    p = pyro.param("p", torch.ones(3) / 3, constraint=dist.constraints.simplex)
    pyro.sample("z", dist.Categorical(p))
