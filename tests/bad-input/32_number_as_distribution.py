import pyro
import pyro.distributions as dist


def model():
    z = pyro.sample("z", 1.5)
