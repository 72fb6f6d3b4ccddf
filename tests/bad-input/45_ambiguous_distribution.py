import pyro
import pyro.distributions as dist


def model(n):
    d = dist.Normal(0., 1.)
    for i in range(n):
        d = dist.Normal(1., 2.)
    pyro.sample("z", d)
