import pyro


def model():
    x = 1
        y = 2
