"""Dirichlet process mixture of Poissons (sunspot counts), guide side.
svic benchmark `dpmm`; entry `main(data, T=20, N=320, alpha=1.1)`.

Mean-field guide: beta ~ Beta(1, kappa), lambda ~ Gamma(tau_0, tau_1),
z ~ Categorical(phi). kappa, tau_0, tau_1 are positive-constrained and phi is
simplex-constrained (hence > 0); their initial values are random draws.

Expected smoothness (oracle): beta, lambda diff; z none (discrete); kappa,
tau_0, tau_1, phi diff.
"""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def main(data, T=20, N=320, alpha=1.1):
    kappa = pyro.param("kappa", dist.Uniform(0, 2).sample([T - 1]),
                       constraint=constraints.positive)
    tau_0 = pyro.param("tau_0", dist.Uniform(0, 5).sample([T]),
                       constraint=constraints.positive)
    tau_1 = pyro.param("tau_1", dist.LogNormal(-1, 1).sample([T]),
                       constraint=constraints.positive)
    phi = pyro.param("phi", dist.Dirichlet(1 / T * torch.ones(T)).sample([N]),
                     constraint=constraints.simplex)

    with pyro.plate("beta_plate", T - 1):
        q_beta = pyro.sample("beta", dist.Beta(torch.ones(T - 1), kappa))

    with pyro.plate("lambda_plate", T):
        q_lambda = pyro.sample("lambda", dist.Gamma(tau_0, tau_1))

    with pyro.plate("data", N):
        z = pyro.sample("z", dist.Categorical(phi))
