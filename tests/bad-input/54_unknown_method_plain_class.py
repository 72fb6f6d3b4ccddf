import pyro
import torch


class Point:
    def __init__(self):
        self.x = torch.ones(3)


def model():
    p = Point()
    y = p.frobnicate()
