# Hyper-parameters kept in a plain config class and a module-level instance,
# as many research scripts do.
import os

import torch
import pyro
import pyro.distributions as dist


class Config:
    prior_scale = 3.0
    noise = 0.1
    out_dir = os.path.join("runs", "exp1")


cfg = Config()


def model(x, y):
    a = pyro.sample("a", dist.Normal(0., cfg.prior_scale))
    b = pyro.sample("b", dist.Normal(0., cfg.prior_scale))
    with pyro.plate("data", 50):
        pyro.sample("y", dist.Normal(a * x + b, cfg.noise), obs=y)


def guide(x, y):
    a_loc = pyro.param("a_loc", torch.tensor(0.))
    b_loc = pyro.param("b_loc", torch.tensor(0.))
    pyro.sample("a", dist.Normal(a_loc, 1.))
    pyro.sample("b", dist.Normal(b_loc, 1.))
