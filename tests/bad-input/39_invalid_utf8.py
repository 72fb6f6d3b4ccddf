import pyro


def model():
    x = "café"
