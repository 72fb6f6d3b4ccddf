# A VAE whose networks live in a sibling module (vae_nets.py), with model and
# guide as module-level functions over module-level network objects.
import pyro
import pyro.distributions as dist
import torch

from .vae_nets import Decoder, Encoder, train

Z_DIM = 10
encoder = Encoder(Z_DIM)
decoder = Decoder(Z_DIM)


def model(x):
    pyro.module("decoder", decoder)
    with pyro.plate("batch", x.shape[0]):
        z = pyro.sample("z", dist.Normal(torch.zeros(x.shape[0], Z_DIM), 1.).to_event(1))
        pyro.sample("x", dist.Bernoulli(decoder(z)).to_event(1), obs=x)


def guide(x):
    pyro.module("encoder", encoder)
    with pyro.plate("batch", x.shape[0]):
        loc, scale = encoder(x)
        pyro.sample("z", dist.Normal(loc, scale).to_event(1))


if __name__ == "__main__":
    train(None, [])
