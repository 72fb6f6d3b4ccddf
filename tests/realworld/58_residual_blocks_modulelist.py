# A residual network whose blocks are user nn.Modules held in an nn.ModuleList
# (built over range(n_blocks) from a constructor default) and two heads in a
# second ModuleList: loops with enumerate, an index computed from len(), and
# pyro.module of the whole network (Pyro names "net$$$blocks.0.lin.weight").
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.lin = nn.Linear(width, width)

    def forward(self, h):
        return h + F.relu(self.lin(h))


class ResNet(nn.Module):
    def __init__(self, d_in=3, width=8, n_blocks=2):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.ModuleList([Block(width) for _ in range(n_blocks)])
        self.heads = nn.ModuleList([nn.Linear(width, 1), nn.Linear(width, 1)])

    def forward(self, x):
        h = torch.tanh(self.inp(x))
        for depth, block in enumerate(self.blocks):
            h = block(h)
        loc = self.heads[0](h).squeeze(-1)
        scale = F.softplus(self.heads[len(self.heads) - 1](h)).squeeze(-1)
        return loc, scale


net = ResNet()


def model(x, y=None):
    pyro.module("net", net)
    tau = pyro.sample("tau", dist.Gamma(2.0, 2.0))
    loc, scale = net(x)
    with pyro.plate("data", x.shape[0]):
        pyro.sample("y", dist.Normal(loc, scale / tau), obs=y)


def guide(x, y=None):
    a = pyro.param("a", torch.tensor(2.0), constraint=dist.constraints.positive)
    b = pyro.param("b", torch.tensor(2.0), constraint=dist.constraints.positive)
    pyro.sample("tau", dist.Gamma(a, b))
