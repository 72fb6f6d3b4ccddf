"""svic support-match corpus: e_ssvae0, guide side.

Oracle entry "SSVAE example, 0" (expected: match).
Written from the artifact's tests/pyro_examples/ssvae_guide0.py (pyro.ai semi-supervised VAE).
Unsupervised batch: ys = None, so the guide samples y.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

softplus = nn.Softplus()
softmax = nn.Softmax(dim=-1)

encoder_y_fst = nn.Linear(784, 500)
encoder_y_fst.weight.data.normal_(0, 0.001)
encoder_y_fst.bias.data.normal_(0, 0.001)
encoder_y_snd = nn.Linear(500, 10)

encoder_z_fst = nn.Linear(794, 500)
encoder_z_fst.weight.data.normal_(0, 0.001)
encoder_z_fst.bias.data.normal_(0, 0.001)
encoder_z_out1 = nn.Linear(500, 50)
encoder_z_out2 = nn.Linear(500, 50)


def guide(xs):
    xs = torch.reshape(xs, [200, 784])
    ys = None

    pyro.module("encoder_y_fst", encoder_y_fst)
    pyro.module("encoder_y_snd", encoder_y_snd)
    pyro.module("encoder_z_fst", encoder_z_fst)
    pyro.module("encoder_z_out1", encoder_z_out1)
    pyro.module("encoder_z_out2", encoder_z_out2)

    with pyro.plate("data"):
        # q(y | x) only when the label is not supervised
        if ys is None:
            hidden = softplus(encoder_y_fst(xs))
            alpha = softmax(encoder_y_snd(hidden))
            ys = pyro.sample("y", dist.OneHotCategorical(alpha))

        hidden_z = softplus(encoder_z_fst(torch.cat([xs, ys], -1)))
        loc = encoder_z_out1(hidden_z)
        scale = torch.exp(encoder_z_out2(hidden_z))
        pyro.sample("z", dist.Normal(loc, scale).to_event(1))
