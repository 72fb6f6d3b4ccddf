import pyro
import torch


def model():
    x = torch.ones(3)
    y = x.frobnicate()
