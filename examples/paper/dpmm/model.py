"""Dirichlet process mixture of Poissons (sunspot counts), model side.
svic benchmark `dpmm`; entry `main(data, T=20, N=320, alpha=1.1)`.

Truncated stick-breaking with T components:
  beta    Beta(1, alpha)    [T - 1]   stick proportions
  lambda  Gamma(3, 0.05)    [T]       component rates
  z       Categorical(mix)  [N]       component of each count (discrete)
with mix = pad(beta, (0, 1), 1) * pad(cumprod(1 - beta), (1, 0), 1); each
count is observed under Poisson(lambda[z]).

Expected smoothness (oracle): beta, lambda diff; z none (discrete; also used
as an index).
"""
import torch
import torch.nn.functional as F
import pyro
import pyro.distributions as dist


def main(data, T=20, N=320, alpha=1.1):
    with pyro.plate("beta_plate", T - 1):
        beta = pyro.sample("beta", dist.Beta(1, alpha))

    with pyro.plate("lambda_plate", T):
        lmbda = pyro.sample("lambda", dist.Gamma(3, 0.05))

    with pyro.plate("data", N):
        # Stick-breaking weights.
        beta1m_cumprod = torch.cumprod(1 - beta, -1)
        mix_weights = F.pad(beta, (0, 1), value=1) * F.pad(beta1m_cumprod, (1, 0), value=1)
        z = pyro.sample("z", dist.Categorical(mix_weights))
        pyro.sample("obs", dist.Poisson(lmbda[z]), obs=data)
