import pyro
import torch


def model():
    z = pyro.sample("z", torch.zeros(3))
