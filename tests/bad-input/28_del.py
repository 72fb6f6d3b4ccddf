import pyro
import torch


def model():
    x = torch.zeros(3)
    del x
