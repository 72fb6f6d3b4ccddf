# A helper whose transform parameter defaults to a lambda that reads a latent
# of the enclosing model. svic does not inline a lambda default: the call is
# opaque, and since the lambda may read anything bound where it is defined
# (here `tilt`, and `base` too), the density may break in those; `spread`,
# drawn after the def, stays smooth.
import torch
import pyro
import pyro.distributions as dist


def model(y):
    tilt = pyro.sample("tilt", dist.Normal(0.0, 1.0))
    base = pyro.sample("base", dist.Normal(0.0, 1.0))

    def shifted(v, transform=lambda u: u * tilt):
        return transform(v)

    spread = pyro.sample("spread", dist.LogNormal(0.0, 1.0))
    pyro.sample("y", dist.Normal(shifted(base), spread), obs=y)


def guide(y):
    for name in ["tilt", "base"]:
        loc = pyro.param(name + "_loc", torch.tensor(0.0))
        pyro.sample(name, dist.Normal(loc, 1.0))
    pyro.sample("spread", dist.LogNormal(pyro.param("spread_loc", torch.tensor(0.0)), 0.5))
