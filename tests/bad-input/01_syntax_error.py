import pyro


def model():
    x = = 1
