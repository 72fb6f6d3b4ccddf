import pyro


def traced(fn):
    return fn


@traced
def model():
    pass
