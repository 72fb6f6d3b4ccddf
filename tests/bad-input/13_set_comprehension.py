import pyro


def model():
    seen = {i * 2 for i in range(4)}
