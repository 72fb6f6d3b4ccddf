import pyro
import pyro.distributions as dist


def model():
    scales = {i: 1.0 for i in pyro.plate("p", 2)}
