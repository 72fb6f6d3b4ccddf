import pyro
import pyro.distributions as dist


def my_model():
    pyro.sample("z", dist.Normal(0., 1.))


def my_other_model():
    pyro.sample("w", dist.Normal(0., 2.))
