# Two-state switching regression with the state summed out by enumeration.
# The observed regime flag arrives as floats and is turned into indices with
# `.type(torch.long)`; the covariate is widened with `.to(torch.float64)`
# and narrowed back with `.type(torch.Tensor)`. The cast of the enumerated
# state breaks smoothness in it; the casts of data do not.
import torch
import pyro
import pyro.distributions as dist
from pyro.ops.indexing import Vindex
from torch.distributions import constraints


@pyro.infer.config_enumerate
def model(flag, x, y):
    switch = pyro.sample("switch", dist.Beta(2.0 * torch.ones(2), 2.0 * torch.ones(2)).to_event(1))
    slope = pyro.sample("slope", dist.Normal(torch.zeros(2), 1.0).to_event(1))
    x64 = x.to(torch.float64)
    with pyro.plate("rows", 6):
        regime = pyro.sample("regime", dist.Bernoulli(Vindex(switch)[flag.type(torch.long)]))
        state = regime.type(torch.long)
        mean = Vindex(slope)[state] * x64.type(torch.Tensor)
        pyro.sample("y", dist.Normal(mean, 0.5), obs=y)


def guide(flag, x, y):
    a = pyro.param("a", torch.ones(2), constraint=constraints.positive)
    b = pyro.param("b", torch.ones(2), constraint=constraints.positive)
    pyro.sample("switch", dist.Beta(a, b).to_event(1))
    loc = pyro.param("loc", torch.zeros(2))
    pyro.sample("slope", dist.Normal(loc, 0.3).to_event(1))


def train(flag, x, y, steps=100):
    elbo = pyro.infer.TraceEnum_ELBO(max_plate_nesting=1)
    svi = pyro.infer.SVI(model, guide, pyro.optim.Adam({"lr": 0.05}), loss=elbo)
    for _ in range(steps):
        svi.step(flag, x, y)
