import pyro
import torch


def model():
    if (n := 3) > 2:
        x = torch.zeros(n)
