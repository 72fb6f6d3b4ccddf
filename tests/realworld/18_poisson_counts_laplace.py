# Poisson regression for counts with a log link; a Laplace approximation is
# fitted (MAP first, then the Hessian at the mode).
import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoLaplaceApproximation


def model(exposure, covariate, counts=None):
    log_rate0 = pyro.sample("log_rate0", dist.Normal(0.0, 3.0))
    slope = pyro.sample("slope", dist.Normal(0.0, 1.0))
    with pyro.plate("regions", len(exposure)):
        rate = exposure * torch.exp(log_rate0 + slope * covariate)
        return pyro.sample("counts", dist.Poisson(rate), obs=counts)


def laplace(exposure, covariate, counts):
    guide = AutoLaplaceApproximation(model)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.05}), Trace_ELBO())
    for _ in range(1000):
        svi.step(exposure, covariate, counts)
    return guide.laplace_approximation(exposure, covariate, counts)
