"""scANVI (single-cell annotation), model side.  svic benchmark `scanvi`;
entry `model(x, y=None)`.

Cells x ([B, 21932] gene counts), 4 cell types, latent size 10.
  z1  Normal(0, 1)                      [B, 10]  cell state
  y   OneHotCategorical(uniform)        [B, 4]   cell type (discrete; observed if given)
  z2  Normal(z2_decoder(z1, y))         [B, 10]
  l   LogNormal(7.2, 0.333)             [B, 1]   library size
  x   ZeroInflatedNegativeBinomial(theta, logits, gate_logits) from x_decoder(z2), observed
Each decoder is Linear -> BatchNorm1d -> ReLU -> Linear -> BatchNorm1d and its
output is split in two halves (loc / softplus scale, or gate_logits / mu).
All sites are inside `plate("batch") + poutine.scale`.

Expected smoothness (oracle): z1, z2 lips (fed to the ReLU of a decoder); l
diff; y none (discrete); *_fc_1, *_fc_2 lips (before the ReLU); *_fc_4, *_fc_5
diff (after it); inverse_dispersion diff (positive-constrained, inside log).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

# p(z2 | z1, y)
z2_decoder_fc_1 = nn.Linear(14, 50)
z2_decoder_fc_2 = nn.BatchNorm1d(50)
z2_decoder_fc_3 = nn.ReLU()
z2_decoder_fc_4 = nn.Linear(50, 20)
z2_decoder_fc_5 = nn.BatchNorm1d(20)

# p(x | z2)
x_decoder_fc_1 = nn.Linear(10, 100)
x_decoder_fc_2 = nn.BatchNorm1d(100)
x_decoder_fc_3 = nn.ReLU()
x_decoder_fc_4 = nn.Linear(100, 43864)
x_decoder_fc_5 = nn.BatchNorm1d(43864)

# Constants of the data set.
num_genes = 21932
num_labels = 4
latent_dim = 10
l_loc = 7.200160503387451
l_scale = 0.3334895074367523
scale_factor = 4.559547692868867e-07
epsilon = 0.005


def model(x, y=None):
    pyro.module("z2_decoder_fc_1", z2_decoder_fc_1)
    pyro.module("z2_decoder_fc_2", z2_decoder_fc_2)
    pyro.module("z2_decoder_fc_4", z2_decoder_fc_4)
    pyro.module("z2_decoder_fc_5", z2_decoder_fc_5)
    pyro.module("x_decoder_fc_1", x_decoder_fc_1)
    pyro.module("x_decoder_fc_2", x_decoder_fc_2)
    pyro.module("x_decoder_fc_4", x_decoder_fc_4)
    pyro.module("x_decoder_fc_5", x_decoder_fc_5)

    # Gene-level inverse dispersion of the observation distribution.
    theta = pyro.param("inverse_dispersion",
                       10.0 * torch.Tensor.new_ones(x, num_genes),
                       constraint=constraints.positive)

    with pyro.plate("batch", len(x)), pyro.poutine.scale(scale=scale_factor):
        z1 = pyro.sample("z1", dist.Normal(0, torch.Tensor.new_ones(x, latent_dim)).to_event(1))

        # Uniform prior over cell types, given as logits of zero.
        if y is None:
            y = pyro.sample("y", dist.OneHotCategorical(
                F.softmax(torch.Tensor.new_zeros(x, num_labels), -1)))
        else:
            y = pyro.sample("y", dist.OneHotCategorical(
                F.softmax(torch.Tensor.new_zeros(x, num_labels), -1)), obs=y)

        # z2 decoder on cat(z1, y).
        z1_y = torch.cat([z1, y], dim=-1)
        z1_y_flat = torch.Tensor.reshape(z1_y, [-1, z1_y.shape[-1]])
        if True:
            hidden = z2_decoder_fc_5(z2_decoder_fc_4(
                z2_decoder_fc_3(z2_decoder_fc_2(z2_decoder_fc_1(z1_y_flat)))))
        hidden = torch.Tensor.reshape(hidden, z1_y.shape[:-1] + hidden.shape[-1:])
        if True:
            z2_loc = hidden[..., :int(hidden.shape[-1] / 2)]
            z2_scale = hidden[..., int(hidden.shape[-1] / 2):]
        z2_scale = F.softplus(z2_scale)
        z2 = pyro.sample("z2", dist.Normal(z2_loc, z2_scale).to_event(1))

        l_scale_t = l_scale * torch.Tensor.new_ones(x, 1)
        l = pyro.sample("l", dist.LogNormal(l_loc, l_scale_t).to_event(1))

        # x decoder on z2.
        out = x_decoder_fc_5(x_decoder_fc_4(
            x_decoder_fc_3(x_decoder_fc_2(x_decoder_fc_1(z2)))))
        gate_logits = out[..., :int(out.shape[-1] / 2)]
        mu = out[..., int(out.shape[-1] / 2):]
        mu = F.softmax(mu, dim=-1)

        nb_logits = torch.log(l * mu + epsilon) - torch.log(theta + epsilon)
        pyro.sample("x",
                    dist.ZeroInflatedNegativeBinomial(theta, logits=nb_logits,
                                                      gate_logits=gate_logits).to_event(1),
                    obs=x)
