# A VAE whose networks come from a configurable MLP class: the activation is
# passed as a class (nn.Tanh) or a user class (Positive) to be built per
# layer, a per-layer hook defaults to a lambda, the sizes are checked with
# isinstance against builtin types, and the layers are collected in a list
# unpacked into nn.Sequential. svic cannot see through any of that: the
# classes, the lambda and the network are opaque values, so the networks'
# calls are opaque, while the sites and the rest of the densities are
# analysed.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist


class Positive(nn.Module):
    def forward(self, v):
        return torch.exp(v)


class MLP(nn.Module):
    def __init__(self, sizes, activation=nn.Tanh, last=None, hook=lambda i, layer: None):
        super().__init__()
        assert isinstance(sizes, (list, tuple)) and len(sizes) >= 2
        layers = []
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            layers.append(nn.Linear(a, b))
            extra = hook(i, layers[-1])
            if extra is not None:
                layers.append(extra)
            if i + 2 < len(sizes):
                layers.append(activation())
        if last is not None:
            layers.append(last())
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)


class VAE(nn.Module):
    def __init__(self, pixels=10, code=2):
        super().__init__()
        self.code = code
        self.dec = MLP([code, 16, pixels], last=nn.Sigmoid)
        self.enc_loc = MLP([pixels, 16, code])
        self.enc_scale = MLP([pixels, 16, code], activation=nn.ReLU, last=Positive)

    def model(self, x):
        pyro.module("vae", self)
        with pyro.plate("batch", x.shape[0]):
            z = pyro.sample("z", dist.Normal(torch.zeros(self.code), 1.0).to_event(1))
            pyro.sample("x", dist.Bernoulli(self.dec(z)).to_event(1), obs=x)

    def guide(self, x):
        pyro.module("vae", self)
        with pyro.plate("batch", x.shape[0]):
            pyro.sample("z", dist.Normal(self.enc_loc(x), self.enc_scale(x)).to_event(1))
