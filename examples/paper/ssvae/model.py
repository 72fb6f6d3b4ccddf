"""Semi-supervised VAE (M2), model side.  svic benchmark `ssvae`;
entry `main(xs, ys=None)`.

A batch of 200 MNIST images (784 pixels). The style z ([200, 50]) has a
standard Normal prior; the digit y is one-hot ([200, 10]) with a uniform
prior; it is sampled when the batch is unlabelled (ys is None) and observed
otherwise. The decoder softplus(L(cat(z, y))) -> sigmoid(L(.)) gives the
Bernoulli pixel probabilities.

Expected smoothness (oracle): z diff; y none (discrete); decoder_fst,
decoder_snd diff (softplus and sigmoid only).
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

softplus = nn.Softplus()
sigmoid = nn.Sigmoid()
softmax = nn.Softmax(dim=-1)

decoder_fst = nn.Linear(60, 500)
decoder_fst.weight.data.normal_(0, 0.001)
decoder_fst.bias.data.normal_(0, 0.001)
decoder_snd = nn.Linear(500, 784)


def main(xs, ys=None):
    xs = torch.reshape(xs, [200, 784])

    pyro.module("decoder_fst", decoder_fst)
    pyro.module("decoder_snd", decoder_snd)

    # The plate size is taken from the batch.
    with pyro.plate("data"):
        prior_loc = torch.zeros([200, 50])
        prior_scale = torch.ones([200, 50])
        zs = pyro.sample("z", dist.Normal(prior_loc, prior_scale).to_event(1))

        alpha_prior = torch.ones([200, 10]) / (1.0 * 10)
        if ys is None:
            ys = pyro.sample("y", dist.OneHotCategorical(alpha_prior))
        else:
            ys = pyro.sample("y", dist.OneHotCategorical(alpha_prior), obs=ys)

        hidden = softplus(decoder_fst(torch.cat([zs, ys], -1)))
        loc = sigmoid(decoder_snd(hidden))
        pyro.sample("x", dist.Bernoulli(loc).to_event(1), obs=xs)
