"""Semi-supervised VAE (M2), guide side.  svic benchmark `ssvae`;
entry `main(xs, ys=None)`.

If the batch is unlabelled, the digit y is sampled from a classifier
softmax(L(softplus(L(x)))); then the style z is Normal with loc L(h) and scale
exp(L(h)), h = softplus(L(cat(x, y))). `ys.shape[:-1] + (-1,)` builds the
target shape of the expand.

Expected smoothness (oracle): z diff; y none (discrete); encoder_y_fst,
encoder_y_snd, encoder_z_fst, encoder_z_out1, encoder_z_out2 diff.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

softplus = nn.Softplus()
sigmoid = nn.Sigmoid()
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


def main(xs, ys=None):
    xs = torch.reshape(xs, [200, 784])

    pyro.module("encoder_y_fst", encoder_y_fst)
    pyro.module("encoder_y_snd", encoder_y_snd)
    pyro.module("encoder_z_fst", encoder_z_fst)
    pyro.module("encoder_z_out1", encoder_z_out1)
    pyro.module("encoder_z_out2", encoder_z_out2)

    with pyro.plate("data"):
        # Unlabelled batch: infer the digit.
        if ys is None:
            hidden = softplus(encoder_y_fst(xs))
            alpha = softmax(encoder_y_snd(hidden))
            ys = pyro.sample("y", dist.OneHotCategorical(alpha))

        shape = ys.shape[:-1] + (-1,)
        hidden_z = softplus(encoder_z_fst(torch.cat([torch.Tensor.expand(xs, shape),
                                                     torch.Tensor.expand(ys, shape)], -1)))
        loc = encoder_z_out1(hidden_z)
        scale = torch.exp(encoder_z_out2(hidden_z))
        pyro.sample("z", dist.Normal(loc, scale).to_event(1))
