import pyro
import torch


def model():
    inits = [lambda: torch.zeros(3)]
