import pyro


def model():
    with open("data.csv") as f:
        pass
