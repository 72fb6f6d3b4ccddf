# Stochastic volatility: a latent log-volatility random walk, one site per
# step under pyro.markov, with a structured guide that follows the chain.
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(returns):
    sigma = pyro.sample("sigma", dist.HalfNormal(0.5))
    h = torch.tensor(0.0)
    for t in pyro.markov(range(len(returns))):
        h = pyro.sample(f"h_{t}", dist.Normal(h, sigma))
        pyro.sample(f"r_{t}", dist.Normal(0.0, torch.exp(h / 2)), obs=returns[t])


def guide(returns):
    s_loc = pyro.param("s_loc", torch.tensor(-1.0))
    pyro.sample("sigma", dist.LogNormal(s_loc, 0.1))
    w = pyro.param("w", torch.tensor(0.9))
    h = torch.tensor(0.0)
    for t in pyro.markov(range(len(returns))):
        loc = pyro.param(f"h_loc_{t}", torch.tensor(0.0))
        scale = pyro.param(f"h_scale_{t}", torch.tensor(0.1), constraint=constraints.positive)
        h = pyro.sample(f"h_{t}", dist.Normal(w * h + loc, scale))
