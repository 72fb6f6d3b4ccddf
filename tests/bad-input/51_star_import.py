import pyro
from pyro.distributions import *


def model():
    pass
