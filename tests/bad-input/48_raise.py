import pyro


def model(x):
    if x is None:
        raise ValueError("x is required")
