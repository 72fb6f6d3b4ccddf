# A heteroscedastic regression network: an nn.Module predicts the mean and
# the log scale, registered with pyro.module; the only latent is a global
# noise inflation with a written guide.
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


class MeanScaleNet(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.fc = nn.Linear(1, hidden)
        self.mean = nn.Linear(hidden, 1)
        self.log_scale = nn.Linear(hidden, 1)

    def forward(self, x):
        h = F.relu(self.fc(x))
        return self.mean(h).squeeze(-1), self.log_scale(h).squeeze(-1)


net = MeanScaleNet()


def model(x, y):
    pyro.module("net", net)
    inflation = pyro.sample("inflation", dist.LogNormal(0.0, 0.3))
    mean, log_scale = net(x)
    with pyro.plate("data", x.shape[0]):
        pyro.sample("y", dist.Normal(mean, inflation * torch.exp(log_scale)), obs=y)


def guide(x, y):
    loc = pyro.param("infl_loc", torch.tensor(0.0))
    scale = pyro.param("infl_scale", torch.tensor(0.1), constraint=constraints.positive)
    pyro.sample("inflation", dist.LogNormal(loc, scale))
