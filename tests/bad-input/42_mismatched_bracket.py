import pyro
import torch


def model():
    x = torch.zeros([2, 3)
