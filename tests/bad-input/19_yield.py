import pyro
import pyro.distributions as dist


def model():
    for t in range(3):
        yield pyro.sample("z_{}".format(t), dist.Normal(0., 1.))
