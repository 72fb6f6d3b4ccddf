"""Conditional VAE (MNIST quadrant completion), guide side.  svic benchmark `cvae`;
entry `guide(xs, ys=None)`.

Without ys (inference time) the guide reuses the prior network on the image
completed by the baseline guess; with ys (training time) it uses the
recognition network (relu MLP 784-500-500 -> loc, exp(scale)) on the image
completed by the true pixels. z ~ Normal(loc, scale).to_event(1).

Expected smoothness (oracle): z diff; prior_net_fc1, prior_net_fc2,
recog_net_fc1, recog_net_fc2 lips (relu); prior_net_fc31, prior_net_fc32,
recog_net_fc31, recog_net_fc32 diff.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

# Baseline network (pre-trained elsewhere; constant here).
bl_fc1 = nn.Linear(784, 500)
bl_fc2 = nn.Linear(500, 500)
bl_fc3 = nn.Linear(500, 784)
bl_relu = nn.ReLU()

# Prior network p(z | x), shared with the model.
prior_net_fc1 = nn.Linear(784, 500)
prior_net_fc2 = nn.Linear(500, 500)
prior_net_fc31 = nn.Linear(500, 200)
prior_net_fc32 = nn.Linear(500, 200)
prior_net_relu = nn.ReLU()

# Recognition network q(z | x, y).
recog_net_fc1 = nn.Linear(784, 500)
recog_net_fc2 = nn.Linear(500, 500)
recog_net_fc31 = nn.Linear(500, 200)
recog_net_fc32 = nn.Linear(500, 200)
recog_net_relu = nn.ReLU()


def guide(xs, ys=None):
    pyro.module("prior_net_fc1", prior_net_fc1)
    pyro.module("prior_net_fc2", prior_net_fc2)
    pyro.module("prior_net_fc31", prior_net_fc31)
    pyro.module("prior_net_fc32", prior_net_fc32)
    pyro.module("recog_net_fc1", recog_net_fc1)
    pyro.module("recog_net_fc2", recog_net_fc2)
    pyro.module("recog_net_fc31", recog_net_fc31)
    pyro.module("recog_net_fc32", recog_net_fc32)

    with pyro.plate("data"):
        if ys is None:
            # Inference: prior network on the baseline-completed image.
            bl_x = torch.Tensor.view(xs, [-1, 784])
            bl_hidden = bl_relu(bl_fc1(bl_x))
            bl_hidden = bl_relu(bl_fc2(bl_hidden))
            bl_y = torch.sigmoid(bl_fc3(bl_hidden))
            y_hat = torch.Tensor.view(bl_y, xs.shape)

            xc = torch.Tensor.clone(xs)
            xc[xs == -1] = y_hat[xs == -1]
            xc = torch.Tensor.view(xc, [-1, 784])
            hidden = prior_net_relu(prior_net_fc1(xc))
            hidden = prior_net_relu(prior_net_fc2(hidden))
            loc = prior_net_fc31(hidden)
            scale = torch.exp(prior_net_fc32(hidden))
        else:
            # Training: recognition network on the truth-completed image.
            xc = torch.Tensor.clone(xs)
            xc[xs == -1] = ys[xs == -1]
            xc = torch.Tensor.view(xc, [-1, 784])
            hidden = recog_net_relu(recog_net_fc1(xc))
            hidden = recog_net_relu(recog_net_fc2(hidden))
            loc = recog_net_fc31(hidden)
            scale = torch.exp(recog_net_fc32(hidden))

        pyro.sample("z", dist.Normal(loc, scale).to_event(1))
