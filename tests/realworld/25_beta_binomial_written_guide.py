# Hierarchical beta-binomial for batting averages: a written guide with Beta
# posteriors per player and LogNormal posteriors for the population
# hyper-parameters, loaded from a CSV in main().
import csv

import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(at_bats, hits):
    phi = pyro.sample("phi", dist.Uniform(0.0, 1.0))
    kappa = pyro.sample("kappa", dist.LogNormal(3.0, 1.0))
    with pyro.plate("players", len(at_bats)):
        theta = pyro.sample("theta", dist.Beta(phi * kappa, (1.0 - phi) * kappa))
        pyro.sample("hits", dist.Binomial(at_bats, theta), obs=hits)


def guide(at_bats, hits):
    n = len(at_bats)
    phi_a = pyro.param("phi_a", torch.tensor(2.0), constraint=constraints.positive)
    phi_b = pyro.param("phi_b", torch.tensor(8.0), constraint=constraints.positive)
    k_loc = pyro.param("k_loc", torch.tensor(3.0))
    alpha = pyro.param("alpha", torch.ones(n), constraint=constraints.positive)
    beta = pyro.param("beta", torch.ones(n), constraint=constraints.positive)
    pyro.sample("phi", dist.Beta(phi_a, phi_b))
    pyro.sample("kappa", dist.LogNormal(k_loc, 0.5))
    with pyro.plate("players", n):
        pyro.sample("theta", dist.Beta(alpha, beta))


def main(path="efron_morris.csv"):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    at_bats = torch.tensor([float(r["At-Bats"]) for r in rows])
    hits = torch.tensor([float(r["Hits"]) for r in rows])
    return at_bats, hits
