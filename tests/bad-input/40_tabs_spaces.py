import pyro


def model():
    if True:
        x = 1
	y = 2
