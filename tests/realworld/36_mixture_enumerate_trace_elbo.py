# A common mistake: the mixture's assignments are marked with
# config_enumerate, but training uses Trace_ELBO, which ignores the mark.
# Pyro then draws the assignments from the prior and warns "Found vars in
# model but not guide"; the guide was meant for TraceEnum_ELBO.
import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO, config_enumerate
from torch.distributions import constraints


@config_enumerate
def model(x):
    weight = pyro.sample("weight", dist.Beta(2.0, 2.0))
    locs = pyro.sample("locs", dist.Normal(torch.zeros(2), 3.0).to_event(1))
    with pyro.plate("points", len(x)):
        z = pyro.sample("z", dist.Bernoulli(weight))
        pyro.sample("x", dist.Normal(locs[z.long()], 0.5), obs=x)


def guide(x):
    a = pyro.param("a", torch.tensor(2.0), constraint=constraints.positive)
    b = pyro.param("b", torch.tensor(2.0), constraint=constraints.positive)
    loc = pyro.param("loc", torch.tensor([-1.0, 1.0]))
    pyro.sample("weight", dist.Beta(a, b))
    pyro.sample("locs", dist.Normal(loc, 0.2).to_event(1))


def main():
    x = torch.cat([torch.randn(20) - 2.0, torch.randn(20) + 2.0])
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.05}), Trace_ELBO())
    for _ in range(200):
        svi.step(x)


if __name__ == "__main__":
    main()
