import pyro
import pyro.distributions as dist


def model():
    try:
        z = pyro.sample("z", dist.Normal(0., 1.))
    except ValueError:
        z = 0.
