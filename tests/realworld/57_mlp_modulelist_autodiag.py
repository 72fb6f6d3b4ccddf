# Heteroscedastic MLP regression: the hidden layers are an nn.ModuleList built
# from a comprehension over zip(sizes, sizes[1:]), walked in forward with a
# loop over a slice and an index for the head; the noise scale and an output
# gain are latent, with an AutoDiagonalNormal guide built in main().
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoDiagonalNormal
from pyro.optim import ClippedAdam


class MLP(nn.Module):
    def __init__(self, sizes=(4, 16, 16, 2), activation=torch.tanh):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])])
        self.activation = activation

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        out = self.layers[-1](x)
        return out[..., 0], F.softplus(out[..., 1]) + 1e-3


class Regression(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = MLP()

    def model(self, x, y=None):
        pyro.module("mlp", self.mlp)
        gain = pyro.sample("gain", dist.LogNormal(0.0, 0.5))
        noise = pyro.sample("noise", dist.HalfCauchy(1.0))
        loc, spread = self.mlp(x)
        with pyro.plate("data", x.shape[0]):
            pyro.sample("y", dist.Normal(gain * loc, noise * spread), obs=y)
        return loc


def main(args):
    reg = Regression()
    guide = AutoDiagonalNormal(reg.model)
    svi = SVI(reg.model, guide, ClippedAdam({"lr": args.lr}), Trace_ELBO())
    x, y = torch.randn(100, 4), torch.randn(100)
    for step in range(args.steps):
        svi.step(x, y)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=0.01)
    main(parser.parse_args())
