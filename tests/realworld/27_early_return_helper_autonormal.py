# A helper that returns early for a degenerate configuration, called from the
# model; AutoNormal guide from the training loop.
import torch
import pyro
import pyro.distributions as dist
from pyro.infer.autoguide import AutoNormal


def link(eta, kind="log"):
    if kind == "identity":
        return eta
    return torch.exp(eta)


def model(x, y, kind="log"):
    alpha = pyro.sample("alpha", dist.Normal(0.0, 2.0))
    beta = pyro.sample("beta", dist.Normal(0.0, 1.0))
    phi = pyro.sample("phi", dist.Gamma(2.0, 0.5))
    mu = link(alpha + beta * x, "log")
    with pyro.plate("data", len(x)):
        pyro.sample("y", dist.Gamma(phi, phi / mu), obs=y)


def fit(x, y):
    guide = AutoNormal(model)
    optim = pyro.optim.Adam({"lr": 0.02})
    svi = pyro.infer.SVI(model, guide, optim, pyro.infer.Trace_ELBO())
    return [svi.step(x, y) for _ in range(100)]
