# A stock-recruitment chain over seasons: the first season's growth rate is
# fixed and every later one is drawn, written as a conditional expression
# (`pyro.sample(...) if season > 0 else 1.0`) the way published chains are.
# Only the taken branch runs, so the growth sites exist for seasons 1.. only;
# a helper call in the other branch of a second conditional expression is
# inlined there too.
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def shrink(x, by):
    return pyro.sample("shrink", dist.Beta(2.0, 2.0)) * x / by


def model(counts):
    seasons = counts.shape[0]
    noise = pyro.sample("noise", dist.HalfNormal(1.0))
    stock = torch.tensor(10.0)
    for season in pyro.markov(range(seasons)):
        growth = pyro.sample(f"growth_{season}", dist.LogNormal(0.0, 0.3)) if season > 0 else 1.0
        stock = stock * growth
        pyro.sample(f"count_{season}", dist.Normal(stock, noise), obs=counts[season])
    return stock if seasons < 10 else shrink(stock, 2.0)


def guide(counts):
    scale = pyro.param("scale", torch.tensor(0.5), constraint=constraints.positive)
    pyro.sample("noise", dist.HalfNormal(scale))
    for season in pyro.markov(range(1, counts.shape[0])):
        loc = pyro.param(f"loc_{season}", torch.tensor(0.0))
        pyro.sample(f"growth_{season}", dist.LogNormal(loc, 0.1))
    if counts.shape[0] >= 10:
        pyro.sample("shrink", dist.Beta(2.0, 2.0))
