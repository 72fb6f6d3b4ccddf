# A Bernoulli-likelihood autoencoder written against the pre-1.0 Pyro API,
# which Pyro 1.8.6 still runs: the batch is a `pyro.iarange` (the deprecated
# name of pyro.plate) and event dimensions are declared with
# `.independent(1)` instead of `.to_event(1)`.
import argparse

import torch
import torch.nn as nn

import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam


class Decode(nn.Module):
    def __init__(self, code_size, pixels):
        super().__init__()
        self.hidden = nn.Linear(code_size, 32)
        self.out = nn.Linear(32, pixels)

    def forward(self, code):
        return torch.sigmoid(self.out(torch.tanh(self.hidden(code))))


class Encode(nn.Module):
    def __init__(self, code_size, pixels):
        super().__init__()
        self.hidden = nn.Linear(pixels, 32)
        self.mean = nn.Linear(32, code_size)
        self.log_sd = nn.Linear(32, code_size)

    def forward(self, image):
        h = torch.tanh(self.hidden(image))
        return self.mean(h), torch.exp(self.log_sd(h))


class OldStyleVAE(nn.Module):
    def __init__(self, code_size=4, pixels=16):
        super().__init__()
        self.dec = Decode(code_size, pixels)
        self.enc = Encode(code_size, pixels)
        self.code_size = code_size

    def model(self, images):
        pyro.module("dec", self.dec)
        with pyro.iarange("batch", images.size(0)):
            mean = images.new_zeros(torch.Size((images.size(0), self.code_size)))
            sd = images.new_ones(torch.Size((images.size(0), self.code_size)))
            code = pyro.sample("code", dist.Normal(mean, sd).independent(1))
            probs = self.dec(code)
            pyro.sample("pixels", dist.Bernoulli(probs).independent(1), obs=images)

    def guide(self, images):
        pyro.module("enc", self.enc)
        with pyro.iarange("batch", images.size(0)):
            mean, sd = self.enc(images)
            pyro.sample("code", dist.Normal(mean, sd).independent(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    vae = OldStyleVAE()
    svi = SVI(vae.model, vae.guide, Adam({"lr": 1e-3}), loss=Trace_ELBO())
    images = torch.bernoulli(0.5 * torch.ones(8, 16))
    for _ in range(args.steps):
        svi.step(images)


if __name__ == "__main__":
    main()
