import pyro


def model():
    scales = {k: 1.0 for k in ["a", "b"]}
