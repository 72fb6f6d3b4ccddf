# A module that registers itself with pyro.module("net", self): nested
# submodule objects and an nn.Parameter field become Pyro params.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.lin = nn.Linear(width, width)
        self.act = nn.Tanh()

    def forward(self, h):
        return self.act(self.lin(h))


class Net(nn.Module):
    def __init__(self, width=4):
        super().__init__()
        self.block = Block(width)
        self.head = nn.Linear(width, 1)
        self.log_noise = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return self.head(self.block(x)).squeeze(-1)


net = Net()


def model(x, y):
    pyro.module("net", net)
    with pyro.plate("data", 64):
        pyro.sample("y", dist.Normal(net(x), torch.exp(net.log_noise)), obs=y)


def guide(x, y):
    pass
