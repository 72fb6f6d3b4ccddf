"""Variational autoencoder (MNIST), model side.  svic benchmark `vae`; entry `main(x)`.

256 images; latent [256, 50] ~ Normal(0, 1); decoder
sigmoid(L2(softplus(L1(z)))) gives Bernoulli pixel probabilities.
The Python names of the networks (m_fc1, m_fc21) differ from their
pyro.module names (decoder_fc1, decoder_fc21): the report uses the latter.

Expected smoothness (oracle): latent, decoder_fc1, decoder_fc21 diff.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

m_fc1 = nn.Linear(50, 400)
m_fc21 = nn.Linear(400, 784)
softplus = nn.Softplus()
sigmoid = nn.Sigmoid()


def main(x):
    x = torch.reshape(x, [256, 784])

    pyro.module("decoder_fc1", m_fc1)
    pyro.module("decoder_fc21", m_fc21)

    with pyro.plate("data", 256):
        z_loc = torch.zeros([256, 50])
        z_scale = torch.ones([256, 50])
        z = pyro.sample("latent", dist.Normal(z_loc, z_scale).to_event(1))
        hidden = softplus(m_fc1(z))
        loc_img = sigmoid(m_fc21(hidden))
        pyro.sample("obs", dist.Bernoulli(loc_img).to_event(1), obs=x)
