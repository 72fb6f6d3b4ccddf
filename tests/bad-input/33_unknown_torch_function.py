import pyro
import torch


def model():
    x = torch.frobnicate(torch.ones(3))
