# Count model with an amortised guide whose networks come from a factory that
# appends layers to a Python list and unpacks it into nn.Sequential(*layers),
# as single-cell examples do. svic cannot know the members of such a list, so
# the network is an opaque object: its calls may break every property in
# their arguments (and may sample), while the rest stays analysed.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def stack_layers(widths):
    layers = []
    for a, b in zip(widths, widths[1:]):
        layers.append(nn.Linear(a, b))
        layers.append(nn.Softplus())
    return nn.Sequential(*layers[:-1])


class Counts(nn.Module):
    def __init__(self, genes=6, code=2):
        super().__init__()
        self.code = code
        self.decode = stack_layers([code, 8, genes])
        self.encode = stack_layers([genes, 8, 2 * code])

    def model(self, x):
        pyro.module("counts", self)
        size = pyro.param("size", torch.ones(x.shape[-1]), constraint=constraints.positive)
        with pyro.plate("cells", x.shape[0]):
            z = pyro.sample("z", dist.Normal(torch.zeros(self.code), 1.0).to_event(1))
            rate = torch.exp(self.decode(z))
            pyro.sample("x", dist.Poisson(size * rate).to_event(1), obs=x)

    def guide(self, x):
        pyro.module("counts", self)
        with pyro.plate("cells", x.shape[0]):
            h = self.encode(torch.log1p(x))
            loc, log_scale = h[..., :self.code], h[..., self.code:]
            pyro.sample("z", dist.Normal(loc, torch.exp(log_scale)).to_event(1))
