# svic-args: --model-fn demand_model --guide-fn demand_guide
"""Two models in one script; the autoguide of each is kept in a variable."""
import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoDiagonalNormal, AutoDelta


def demand_model(prices, sales=None):
    elasticity = pyro.sample("elasticity", dist.Normal(-1.0, 0.5))
    base = pyro.sample("base", dist.LogNormal(0.0, 1.0))
    with pyro.plate("stores", prices.shape[0]):
        store_shift = pyro.sample("store_shift", dist.Normal(0.0, 0.3))
        rate = base * torch.exp(elasticity * prices + store_shift)
        pyro.sample("sales", dist.Poisson(rate), obs=sales)


def supply_model(costs):
    margin = pyro.sample("margin", dist.Beta(2.0, 5.0))
    pyro.sample("cost_obs", dist.Normal(margin, 1.0), obs=costs)


def fit(model, guide, *args):
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.02}), Trace_ELBO())
    for _ in range(100):
        svi.step(*args)


demand_guide = AutoDiagonalNormal(demand_model)
supply_guide = AutoDelta(supply_model)

if __name__ == "__main__":
    prices = torch.rand(8)
    fit(demand_model, demand_guide, prices, torch.ones(8))
    fit(supply_model, supply_guide, torch.rand(1))
