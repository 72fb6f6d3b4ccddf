"""Variational autoencoder (MNIST), guide side.  svic benchmark `vae`; entry `main(x)`.

Encoder h = softplus(L1(x)); latent ~ Normal(L21(h), exp(L22(h))).
Module variables g_fc1, g_fc21, g_fc22 are registered as encoder_fc1,
encoder_fc21, encoder_fc22.

Expected smoothness (oracle): latent, encoder_fc1, encoder_fc21, encoder_fc22 diff.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

g_fc1 = nn.Linear(784, 400)
g_fc21 = nn.Linear(400, 50)
g_fc22 = nn.Linear(400, 50)
softplus = nn.Softplus()


def main(x):
    x = torch.reshape(x, [256, 784])

    pyro.module("encoder_fc1", g_fc1)
    pyro.module("encoder_fc21", g_fc21)
    pyro.module("encoder_fc22", g_fc22)

    with pyro.plate("data", 256):
        hidden = softplus(g_fc1(x))
        z_loc = g_fc21(hidden)
        z_scale = torch.exp(g_fc22(hidden))
        pyro.sample("latent", dist.Normal(z_loc, z_scale).to_event(1))
