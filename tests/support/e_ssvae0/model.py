"""svic support-match corpus: e_ssvae0, model side.

Oracle entry "SSVAE example, 0" (expected: match).
Written from the artifact's tests/pyro_examples/ssvae_model0.py (pyro.ai semi-supervised VAE).
Unsupervised batch: ys = None, so y is a latent site.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

softplus = nn.Softplus()
sigmoid = nn.Sigmoid()

decoder_fst = nn.Linear(60, 500)
decoder_fst.weight.data.normal_(0, 0.001)
decoder_fst.bias.data.normal_(0, 0.001)
decoder_snd = nn.Linear(500, 784)


def model(xs):
    xs = torch.reshape(xs, [200, 784])
    ys = None

    pyro.module("decoder_fst", decoder_fst)
    pyro.module("decoder_snd", decoder_snd)

    with pyro.plate("data"):
        prior_loc = torch.zeros([200, 50])
        prior_scale = torch.ones([200, 50])
        zs = pyro.sample("z", dist.Normal(prior_loc, prior_scale).to_event(1))

        # latent when ys is None, observed otherwise
        alpha_prior = torch.ones([200, 10]) / (1.0 * 10)
        ys = pyro.sample("y", dist.OneHotCategorical(alpha_prior), obs=ys)

        hidden = softplus(decoder_fst(torch.cat([zs, ys], -1)))
        loc = sigmoid(decoder_snd(hidden))
        pyro.sample("x", dist.Bernoulli(loc).to_event(1), obs=xs)
