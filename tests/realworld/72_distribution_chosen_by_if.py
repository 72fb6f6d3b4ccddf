# A sequence model whose guide can use a normalising flow: the per-step
# distribution is chosen by an if (a TransformedDistribution over a list of
# flows when there are any, a plain Normal otherwise) and used after the if,
# as Pyro's deep Markov model guide does. Python runs the rest of the step
# with whichever distribution the branch built; so does svic, by lowering
# the rest of the block in each branch.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.distributions import TransformedDistribution


class Seq(nn.Module):
    def __init__(self, dim=2, steps=3, flows=()):
        super().__init__()
        self.dim = dim
        self.steps = steps
        self.flows = list(flows)
        self.q_loc = nn.Linear(dim, dim)

    def model(self, ys):
        z = torch.zeros(self.dim)
        for t in range(self.steps):
            z = pyro.sample(f"z_{t}", dist.Normal(z, 1.0).to_event(1))
            pyro.sample(f"y_{t}", dist.Normal(z, 0.5).to_event(1), obs=ys[t])

    def guide(self, ys):
        pyro.module("seq", self)
        z = torch.zeros(self.dim)
        for t in range(self.steps):
            loc = self.q_loc(z)
            if len(self.flows) > 0:
                step = TransformedDistribution(dist.Normal(loc, 0.5), self.flows)
            else:
                step = dist.Normal(loc, 0.5)
            z = pyro.sample(f"z_{t}", step.to_event(1))
