# A gated transition network whose constructor overwrites the initial weights
# of one of its layers (`self.skip.weight.data = torch.eye(d)`) before it
# assigns the remaining fields; the layers defined after that line must
# still be fields of the object. A linear-Gaussian state-space model uses it.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist


class Transition(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.skip = nn.Linear(dim, dim)
        self.skip.weight.data = torch.eye(dim)
        self.skip.bias.data = torch.zeros(dim)
        self.gate_in = nn.Linear(dim, hidden)
        self.gate_out = nn.Linear(hidden, dim)
        self.squash = nn.Sigmoid()
        self.positive = nn.Softplus()

    def forward(self, z):
        gate = self.squash(self.gate_out(torch.tanh(self.gate_in(z))))
        loc = (1 - gate) * self.skip(z) + gate * z
        return loc, self.positive(gate) + 0.1


class StateSpace(nn.Module):
    def __init__(self, dim=2, hidden=8, steps=4):
        super().__init__()
        self.dim = dim
        self.steps = steps
        self.trans = Transition(dim, hidden)

    def model(self, ys):
        pyro.module("ssm", self)
        z = torch.zeros(self.dim)
        for t in range(self.steps):
            loc, scale = self.trans(z)
            z = pyro.sample(f"z_{t}", dist.Normal(loc, scale).to_event(1))
            pyro.sample(f"y_{t}", dist.Normal(z, 0.5).to_event(1), obs=ys[t])

    def guide(self, ys):
        for t in range(self.steps):
            loc = pyro.param(f"q_loc_{t}", torch.zeros(self.dim))
            pyro.sample(f"z_{t}", dist.Normal(loc, 0.3).to_event(1))
