# A single change point in a count series (coal-mining disasters style) with
# a hand-written mean-field guide; the switch is a continuous latent on an
# interval, compared against the time index.
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

T = 40


def model(counts):
    early = pyro.sample("early_rate", dist.Exponential(1.0))
    late = pyro.sample("late_rate", dist.Exponential(1.0))
    switch = pyro.sample("switch", dist.Uniform(0.0, float(T)))
    t = torch.arange(T, dtype=torch.float)
    rate = torch.where(t < switch, early, late)
    with pyro.plate("years", T):
        pyro.sample("counts", dist.Poisson(rate), obs=counts)


def guide(counts):
    a = pyro.param("a", torch.tensor(2.0), constraint=constraints.positive)
    b = pyro.param("b", torch.tensor(2.0), constraint=constraints.positive)
    lo = pyro.param("lo", torch.tensor(10.0), constraint=constraints.interval(0.0, 20.0))
    pyro.sample("early_rate", dist.Gamma(a, 1.0))
    pyro.sample("late_rate", dist.Gamma(b, 1.0))
    pyro.sample("switch", dist.Uniform(lo, lo + 20.0))
