# A VAE trained with KL annealing: the latent's log-density is scaled by
# poutine.scale in both model and guide, the factor passed in by the loop.
import argparse

import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro import poutine


class Encoder(nn.Module):
    def __init__(self, z_dim=10, hidden=200):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(784, hidden), nn.Softplus())
        self.loc = nn.Linear(hidden, z_dim)
        self.log_scale = nn.Linear(hidden, z_dim)

    def forward(self, x):
        h = self.body(x)
        return self.loc(h), torch.exp(self.log_scale(h))


class Decoder(nn.Module):
    def __init__(self, z_dim=10, hidden=200):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(z_dim, hidden), nn.Softplus(), nn.Linear(hidden, 784))

    def forward(self, z):
        return torch.sigmoid(self.net(z))


class AnnealedVAE(nn.Module):
    def __init__(self, z_dim=10):
        super().__init__()
        self.encoder = Encoder(z_dim)
        self.decoder = Decoder(z_dim)
        self.z_dim = z_dim

    def model(self, x, annealing_factor=1.0):
        pyro.module("decoder", self.decoder)
        with pyro.plate("batch", x.shape[0]):
            with poutine.scale(scale=annealing_factor):
                z = pyro.sample("z", dist.Normal(x.new_zeros(x.shape[0], self.z_dim),
                                                 x.new_ones(x.shape[0], self.z_dim)).to_event(1))
            probs = self.decoder(z)
            pyro.sample("x", dist.Bernoulli(probs).to_event(1), obs=x)

    def guide(self, x, annealing_factor=1.0):
        pyro.module("encoder", self.encoder)
        with pyro.plate("batch", x.shape[0]):
            with poutine.scale(scale=annealing_factor):
                loc, scale = self.encoder(x)
                pyro.sample("z", dist.Normal(loc, scale).to_event(1))


def annealing(epoch, warmup=10, minimum=0.2):
    return min(1.0, minimum + (1.0 - minimum) * epoch / warmup)


if __name__ == "__main__":
    argparse.ArgumentParser().parse_args()
    vae = AnnealedVAE()
