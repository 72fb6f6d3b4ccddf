import pyro
import pyro.distributions as dist


def model():
    for t in range(3):
        pyro.sample(f"z_{t}_%d" % t, dist.Normal(0., 1.))
