import pyro
import pyro.distributions as dist


def chain(n):
    if n > 0:
        chain(n - 1)
    pyro.sample("z", dist.Normal(0., 1.))


def model():
    chain(3)
