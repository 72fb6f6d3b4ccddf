import pyro


def model():
    for t in range(10):
        if t > 3:
            break
