import pyro
import pyro.distributions as dist


def draw():
    return pyro.sample("z", dist.Normal(0., 1.))


def model(flag):
    x = flag and (draw() if flag else 0.)
