"""A model that returns a sampler closure over its latent (a common teaching
pattern): the closure is a value svic does not follow, not an error."""
import pyro
import pyro.distributions as dist


def noisy_pair(centre, spread):
    a = pyro.sample("a", dist.Normal(centre, spread))
    b = pyro.sample("b", dist.Normal(centre, spread))
    return a + b


def model():
    centre = pyro.sample("centre", dist.Normal(0.0, 2.0))
    make_pair = lambda spread: noisy_pair(centre, spread)
    return make_pair


def guide():
    loc = pyro.param("loc", lambda: dist.Normal(0.0, 1.0).sample())
    pyro.sample("centre", dist.Normal(loc, 0.5))


def caller_model():
    pair = model()
    return pair(0.5)
