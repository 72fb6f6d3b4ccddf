import pyro
import torch


def model():
    init = pyro.param("init", lambda: torch.zeros(3))
