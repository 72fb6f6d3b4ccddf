import pyro
import pyro.distributions as dist


def model():
    for name in ["a", "b"]:
        pyro.sample(name, dist.Normal(0., 1.))
