import pyro


def model():
    """A docstring that never ends.

    pyro.sample("z", dist.Normal(0., 1.))
