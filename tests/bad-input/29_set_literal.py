import pyro


def model():
    names = {"a", "b"}
