import pyro
import pyro.distributions as dist


def draw():
    return pyro.sample("u", dist.Uniform(0., 1.))


def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    if 0 < z < draw():
        pyro.sample("x", dist.Normal(z, 1.), obs=0.)
