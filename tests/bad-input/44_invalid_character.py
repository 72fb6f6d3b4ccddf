import pyro


def model():
    x = 3 $ 4
