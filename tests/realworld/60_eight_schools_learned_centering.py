# Eight schools with a learned partial centering: the school effects are
# reparameterised by @poutine.reparam with LocScaleReparam() (centered=None),
# so Pyro learns theta_centered in [0, 1] next to the guide's parameters.
import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer.reparam import LocScaleReparam
from torch.distributions import constraints

SIGMA = torch.tensor([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


@poutine.reparam(config={"theta": LocScaleReparam()})
def model(y):
    mu = pyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = pyro.sample("tau", dist.HalfCauchy(5.0))
    with pyro.plate("schools", 8):
        theta = pyro.sample("theta", dist.Normal(mu, tau))
        pyro.sample("obs", dist.Normal(theta, SIGMA), obs=y)


def guide(y):
    mu_loc = pyro.param("mu_loc", torch.tensor(0.0))
    tau_loc = pyro.param("tau_loc", torch.tensor(1.0), constraint=constraints.positive)
    pyro.sample("mu", dist.Normal(mu_loc, 1.0))
    pyro.sample("tau", dist.LogNormal(torch.log(tau_loc), 0.5))
    with pyro.plate("schools", 8):
        loc = pyro.param("theta_loc", torch.zeros(8))
        pyro.sample("theta_decentered", dist.Normal(loc, 1.0))
