import pyro
from pyro.distributions import *


def model():
    pyro.sample("z", Frobnicate(0., 1.))
