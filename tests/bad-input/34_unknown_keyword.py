import pyro
import pyro.distributions as dist


def model():
    z = pyro.sample("z", dist.Normal(0., 1., skew=2.))
