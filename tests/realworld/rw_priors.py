# Shared priors for the real-world corpus (imported as a sibling module).
import pyro
import pyro.distributions as dist


def global_scale(name, scale=1.0):
    return pyro.sample(name, dist.HalfNormal(scale))


def coefficients(name, size, scale):
    return pyro.sample(name, dist.Normal(0.0, scale).expand([size]).to_event(1))
