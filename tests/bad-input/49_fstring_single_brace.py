import pyro
import pyro.distributions as dist


def model():
    pyro.sample(f"z_}", dist.Normal(0., 1.))
