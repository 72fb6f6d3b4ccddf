"""Submodules, a ModuleList and an nn.Sequential inside one registered module (test_params.py): the trained
params carry Pyro's param-store names, one $$$ after the pyro.module name and dots below it."""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)

    def forward(self, x):
        return torch.tanh(self.lin(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
        self.out = nn.Sequential(nn.Linear(2, 1))

    def forward(self, x):
        h = self.block(x)
        for l in self.layers:
            h = l(h)
        return self.out(h).squeeze(-1)


net = Net()


def model(x, y):
    pyro.module("net", net)
    with pyro.plate("n", 3):
        pyro.sample("y", dist.Normal(net(x), 1.0), obs=y)


def guide(x, y):
    pass
