import pyro
import torch


def model():
    x = torch.ones(3) ^ torch.zeros(3)
