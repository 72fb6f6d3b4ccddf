# A correlated prior (MultivariateNormal with a fixed covariance) on smooth
# curve coefficients; the posterior is a full-rank multivariate normal.
import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoMultivariateNormal

GRID = torch.linspace(0.0, 1.0, 5)
COV = torch.exp(-((GRID[:, None] - GRID[None, :]) ** 2) / 0.1) + 1e-3 * torch.eye(5)


def model(x, y):
    coeffs = pyro.sample("coeffs", dist.MultivariateNormal(torch.zeros(5), covariance_matrix=COV))
    noise = pyro.sample("noise", dist.Exponential(1.0))
    with pyro.plate("obs", len(x)):
        pyro.sample("y", dist.Normal(x @ coeffs, noise), obs=y)


def run(x, y):
    guide = AutoMultivariateNormal(model, init_scale=0.01)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.01}), Trace_ELBO())
    for _ in range(500):
        svi.step(x, y)
