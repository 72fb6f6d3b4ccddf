# A two-component mixture enumerated with config_enumerate applied in the
# training function (not as a decorator), a written guide for the globals
# and TraceEnum_ELBO.
import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, TraceEnum_ELBO, config_enumerate
from torch.distributions import constraints


def model(x):
    p = pyro.sample("p", dist.Beta(1.0, 1.0))
    mu = pyro.sample("mu", dist.Normal(torch.zeros(2), 5.0).to_event(1))
    with pyro.plate("points", len(x)):
        c = pyro.sample("c", dist.Bernoulli(p))
        pyro.sample("x", dist.Normal(mu[c.long()], 1.0), obs=x)


def guide(x):
    a = pyro.param("a", torch.tensor(1.0), constraint=constraints.positive)
    b = pyro.param("b", torch.tensor(1.0), constraint=constraints.positive)
    m = pyro.param("m", torch.tensor([-1.0, 1.0]))
    pyro.sample("p", dist.Beta(a, b))
    pyro.sample("mu", dist.Normal(m, 0.1).to_event(1))


def train(x):
    enum_model = config_enumerate(model, "parallel")
    svi = SVI(enum_model, guide, pyro.optim.Adam({"lr": 0.05}), TraceEnum_ELBO(max_plate_nesting=1))
    for _ in range(300):
        svi.step(x)
