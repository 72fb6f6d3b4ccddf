import pyro
import pyro.distributions as dist


def model():
    zs = [pyro.sample("z_{}".format(i), dist.Normal(0., 1.)) for i in pyro.plate("p", 3)]
