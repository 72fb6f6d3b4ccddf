import pyro
import pyro.distributions as dist


def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    return z
    pyro.sample("x", dist.Normal(z, 1.), obs=0.)
