import numpy as np
import pyro


def model():
    pass
