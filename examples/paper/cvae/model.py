"""Conditional VAE (MNIST quadrant completion), model side.  svic benchmark `cvae`;
entry `model(xs, ys=None)`.

xs holds images with the unknown pixels set to -1; ys holds the true pixels.
A fixed, pre-trained baseline MLP (bl_fc1..3, not registered with Pyro, so
constants) guesses the missing pixels; the prior net
(relu MLP 784-500-500 -> loc, exp(scale)) maps the completed image to the
prior of z ([B, 200]); the generation net (relu MLP 200-500-500-784, sigmoid)
maps z to pixel probabilities. With ys, only the masked pixels are observed
(Bernoulli, validate_args=False); without, the probabilities are recorded
with pyro.deterministic. The function returns the probabilities.

Expected smoothness (oracle): z lips; prior_net_fc1, prior_net_fc2,
gener_net_fc1, gener_net_fc2 lips (relu); prior_net_fc31, prior_net_fc32,
gener_net_fc3 diff.
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

# Prior network p(z | x).
prior_net_fc1 = nn.Linear(784, 500)
prior_net_fc2 = nn.Linear(500, 500)
prior_net_fc31 = nn.Linear(500, 200)
prior_net_fc32 = nn.Linear(500, 200)
prior_net_relu = nn.ReLU()

# Generation network p(y | x, z).
gener_net_fc1 = nn.Linear(200, 500)
gener_net_fc2 = nn.Linear(500, 500)
gener_net_fc3 = nn.Linear(500, 784)
gener_net_relu = nn.ReLU()


def model(xs, ys=None):
    pyro.module("prior_net_fc1", prior_net_fc1)
    pyro.module("prior_net_fc2", prior_net_fc2)
    pyro.module("prior_net_fc31", prior_net_fc31)
    pyro.module("prior_net_fc32", prior_net_fc32)
    pyro.module("gener_net_fc1", gener_net_fc1)
    pyro.module("gener_net_fc2", gener_net_fc2)
    pyro.module("gener_net_fc3", gener_net_fc3)

    batch_size = xs.shape[0]
    with pyro.plate("data"):
        # Baseline guess of the whole image; detached so that training never
        # changes the baseline.
        bl_x = torch.Tensor.view(xs, [-1, 784])
        bl_hidden = bl_relu(bl_fc1(bl_x))
        bl_hidden = bl_relu(bl_fc2(bl_hidden))
        bl_y = torch.sigmoid(bl_fc3(bl_hidden))
        y_hat = torch.Tensor.detach(torch.Tensor.view(bl_y, xs.shape))

        # Prior network on the image completed by the baseline guess.
        xc = torch.Tensor.clone(xs)
        xc[xs == -1] = y_hat[xs == -1]
        xc = torch.Tensor.view(xc, [-1, 784])
        hidden = prior_net_relu(prior_net_fc1(xc))
        hidden = prior_net_relu(prior_net_fc2(hidden))
        prior_loc = prior_net_fc31(hidden)
        prior_scale = torch.exp(prior_net_fc32(hidden))
        zs = pyro.sample("z", dist.Normal(prior_loc, prior_scale).to_event(1))

        # Generation network.
        out = gener_net_relu(gener_net_fc1(zs))
        out = gener_net_relu(gener_net_fc2(out))
        loc = torch.sigmoid(gener_net_fc3(out))

        if ys is not None:
            # Training: score only the masked pixels.
            mask_loc = torch.Tensor.view(loc[torch.Tensor.view(xs == -1, [-1, 784])],
                                         [batch_size, -1])
            mask_ys = torch.Tensor.view(ys[xs == -1], [batch_size, -1])
            pyro.sample("y",
                        dist.Bernoulli(mask_loc, validate_args=False).to_event(1),
                        obs=mask_ys)
        else:
            # Testing: keep the grey levels instead of sampling.
            pyro.deterministic("y", torch.Tensor.detach(loc))

    return loc
