import pyro
import pyro.distributions as dist


def model(flag):
    if flag:
        d = dist.Normal(0., 1.)
    else:
        d = dist.Normal(1., 2.)
    pyro.sample("z", d)
