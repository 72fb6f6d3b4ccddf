# relu_net.py -- a ReLU network: locally Lipschitz, but not differentiable.
#
# What it shows
#   A small regression network out(relu(hidden(x + shift))) with a latent input
#   shift. relu has a kink at 0, so the density is not differentiable in what
#   flows into the relu (the latent `shift` and the weights of `hidden`), but it
#   is locally Lipschitz in them. The weights of `out` act after the relu and
#   stay differentiable. The helper function `mlp` is inlined by svic; witnesses
#   inside it also name the line that called it.
#
# What `svic analyze examples/tutorial/relu_net.py --property diff,lips` should report
#   model, diff: smooth: out;   mayBreak: hidden, shift (operation "relu")
#   model, lips: smooth: hidden, out, shift
#   guide:       shift, shift_loc, shift_scale smooth for both properties
#   support      shift: real / real -> match
#   reparam      shift may be reparameterised when the selection uses the
#                Lipschitz property (as the paper's Table 5 does).
#   Replacing F.relu by F.softplus makes everything differentiable.
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

hidden = nn.Linear(1, 16)
out = nn.Linear(16, 1)


def mlp(v):
    return out(F.relu(hidden(v)))


def model(x, y):
    pyro.module("hidden", hidden)
    pyro.module("out", out)
    x = torch.reshape(x, [50, 1])
    shift = pyro.sample("shift", dist.Normal(0., 1.))
    with pyro.plate("data", 50):
        mean = torch.reshape(mlp(x + shift), [50])
        pyro.sample("obs", dist.Normal(mean, 0.1), obs=y)


def guide(x, y):
    shift_loc = pyro.param("shift_loc", torch.tensor(0.))
    shift_scale = pyro.param("shift_scale", torch.tensor(1.), constraint=constraints.positive)
    pyro.sample("shift", dist.Normal(shift_loc, shift_scale))
