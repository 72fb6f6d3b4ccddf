import pyro

counter = 0


def model():
    global counter
    counter = counter + 1
