import pyro
import pyro.distributions as dist


def model():
    z = pyro.sample("z", dist.Foo(0., 1.))
