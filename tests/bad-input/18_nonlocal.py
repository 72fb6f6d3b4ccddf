import pyro


def model():
    n = 0

    def bump():
        nonlocal n
        n = n + 1

    bump()
