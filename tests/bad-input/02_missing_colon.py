import pyro


def model()
    pass
