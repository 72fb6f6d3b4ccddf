import pyro
import torch


def model():
    total = torch.stack(list(torch.ones(2) * i for i in range(3)))
