# Factor analysis: loadings and factors with a low-rank multivariate normal
# posterior approximation.
import torch
import pyro
import pyro.distributions as dist
from pyro.infer.autoguide import AutoLowRankMultivariateNormal

N, D, K = 50, 6, 2


def model(data):
    loadings = pyro.sample("loadings", dist.Normal(0.0, 1.0).expand([D, K]).to_event(2))
    noise = pyro.sample("noise", dist.Gamma(2.0, 2.0).expand([D]).to_event(1))
    with pyro.plate("items", N):
        factors = pyro.sample("factors", dist.Normal(0.0, 1.0).expand([K]).to_event(1))
        mean = factors @ loadings.T
        pyro.sample("data", dist.Normal(mean, noise).to_event(1), obs=data)


def build_guide():
    return AutoLowRankMultivariateNormal(model, rank=3)
