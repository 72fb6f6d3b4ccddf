# Inheritance (a base module with a shared method, a subclass overriding
# forward), poutine.scale for a minibatch and torch.no_grad in the guide.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
import pyro.poutine as poutine
from torch.distributions import constraints

N = 1000


class BaseNet(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out)

    def features(self, x):
        return torch.relu(self.lin(x))


class MeanNet(BaseNet):
    def __init__(self):
        super().__init__(3, 1)

    def forward(self, x):
        return self.features(x).sum(-1)


mean_net = MeanNet()


def model(x, y):
    pyro.module("mean_net", mean_net)
    tau = pyro.sample("tau", dist.Gamma(2., 2.))
    with poutine.scale(scale=N / 100.):
        with pyro.plate("batch", 100):
            pyro.sample("y", dist.Normal(mean_net(x), 1. / tau), obs=y)


def guide(x, y):
    a = pyro.param("a", torch.tensor(2.), constraint=constraints.positive)
    with torch.no_grad():
        b = 2.0
    pyro.sample("tau", dist.Gamma(a, b))
