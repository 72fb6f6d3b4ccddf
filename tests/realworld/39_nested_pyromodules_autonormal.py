# A Bayesian neural network written with nested PyroModules: the hidden
# layer's weights have a prior that reads another attribute of the module
# (a PyroSample of a lambda), the output noise is a PyroParam with a
# constraint, and the guide is AutoNormal of the object built at module
# level (`net = BNN(...)`; there is no function named model).
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal
from pyro.nn import PyroModule, PyroParam, PyroSample
from torch.distributions import constraints


class BayesLayer(PyroModule):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.prior_scale = 1.0 / d_in
        self.weight = PyroSample(
            lambda self: dist.Normal(0.0, self.prior_scale).expand([d_in, d_out]).to_event(2))
        self.bias = PyroSample(dist.Normal(0.0, 1.0).expand([d_out]).to_event(1))

    def forward(self, x):
        return torch.relu(x @ self.weight + self.bias)


class BNN(PyroModule):
    def __init__(self, d_in, hidden):
        super().__init__()
        self.hidden = BayesLayer(d_in, hidden)
        self.readout = PyroModule[nn.Linear](hidden, 1)
        self.noise = PyroParam(torch.tensor(0.1), constraint=constraints.positive)

    def forward(self, x, y=None):
        out = self.readout(self.hidden(x)).squeeze(-1)
        with pyro.plate("points", x.shape[0]):
            return pyro.sample("y", dist.Normal(out, self.noise), obs=y)


net = BNN(2, 8)
guide = AutoNormal(net)


def train(x, y, steps=2000):
    svi = SVI(net, guide, pyro.optim.Adam({"lr": 0.01}), Trace_ELBO())
    for _ in range(steps):
        svi.step(x, y)
