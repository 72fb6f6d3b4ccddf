import pyro
import torch.nn as nn


class Decoder(nn.Module):
    def forward(self, z):
        return z


def model():
    decoder = Decoder()
    decoder.frobnicate(0.)
