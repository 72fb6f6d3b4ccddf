import pyro
import torch


def model():
    x = torch.ones(3) + pyro.plate("p", 3)
