"""An amortised proposal written as a module and bound to `guide`.

Inference compilation (pyro.infer.CSIS) and many scripts keep the guide as
an nn.Module instance; its forward is the guide entry.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
import pyro.infer
import pyro.optim


def model(offset, reading=None):
    level = pyro.sample("level", dist.Normal(offset, 3.0))
    pyro.sample("reading", dist.Normal(level, 0.5), obs=reading)
    return level


class Proposal(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, width), nn.Tanh(), nn.Linear(width, 2))

    def forward(self, offset, reading=None):
        pyro.module("proposal", self)
        stats = self.body(reading.reshape(1, 1))
        pyro.sample("level", dist.Normal(stats[0, 0], stats[0, 1].exp()))


guide = Proposal()
csis = pyro.infer.CSIS(model, guide, pyro.optim.Adam({"lr": 1e-3}), num_inference_samples=20)
for _ in range(10):
    csis.step(torch.tensor(0.0), reading=torch.tensor(1.5))
