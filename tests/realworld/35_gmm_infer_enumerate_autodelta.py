# A Gaussian mixture with its assignments enumerated in parallel (infer=...);
# the global parameters get a MAP guide through poutine.block(expose=...).
import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer import SVI, TraceEnum_ELBO
from pyro.infer.autoguide import AutoDelta

K = 3


def model(data):
    weights = pyro.sample("weights", dist.Dirichlet(0.5 * torch.ones(K)))
    scale = pyro.sample("scale", dist.LogNormal(0.0, 2.0))
    with pyro.plate("components", K):
        locs = pyro.sample("locs", dist.Normal(0.0, 10.0))
    with pyro.plate("data", len(data)):
        assignment = pyro.sample("assignment", dist.Categorical(weights),
                                 infer={"enumerate": "parallel"})
        pyro.sample("obs", dist.Normal(locs[assignment], scale), obs=data)


def fit(data):
    guide = AutoDelta(poutine.block(model, expose=["weights", "locs", "scale"]))
    elbo = TraceEnum_ELBO(max_plate_nesting=1)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.1}), elbo)
    for _ in range(200):
        svi.step(data)
    return guide


if __name__ == "__main__":
    fit(torch.tensor([0.0, 1.0, 10.0, 11.0, 12.0]))
