import pyro
import pyro.distributions as dist


def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    if 0 < z < 1:
        pyro.sample("x", dist.Normal(z, 1.), obs=0.)
