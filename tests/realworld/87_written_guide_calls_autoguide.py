"""A written guide that reuses a trained MAP autoguide for the global sites.

The autoguide is built from a blocked model and kept in a variable; the
written guide calls it under poutine.block(hide_types=["param"]) and adds the
local assignment site. Calling the autoguide object is an opaque call that may
sample (its sites are not named in this file), so the globals' support match
is unknown rather than guide-missing.
"""
import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from torch.distributions import constraints
from pyro.infer import SVI, TraceEnum_ELBO, config_enumerate
from pyro.infer.autoguide import AutoDelta

N_GROUPS = 3


@config_enumerate
def model(heights):
    mix = pyro.sample("mix", dist.Dirichlet(torch.ones(N_GROUPS)))
    spread = pyro.sample("spread", dist.HalfNormal(5.0))
    with pyro.plate("groups", N_GROUPS):
        centre = pyro.sample("centre", dist.Normal(170.0, 20.0))
    with pyro.plate("people", heights.shape[0]):
        group = pyro.sample("group", dist.Categorical(mix))
        pyro.sample("height", dist.Normal(centre[group], spread), obs=heights)


map_guide = AutoDelta(poutine.block(model, expose=["mix", "spread", "centre"]))


@config_enumerate
def guide(heights):
    with poutine.block(hide_types=["param"]):
        map_guide(heights)
    with pyro.plate("people", heights.shape[0]):
        resp = pyro.param("resp", torch.ones(heights.shape[0], N_GROUPS) / N_GROUPS,
                          constraint=constraints.simplex)
        pyro.sample("group", dist.Categorical(resp))


svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.05}), loss=TraceEnum_ELBO(max_plate_nesting=1))
