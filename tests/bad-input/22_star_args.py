import pyro
import torch


def model():
    shape = [2, 3]
    x = torch.zeros(*shape)
