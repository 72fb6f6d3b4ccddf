# Robust regression: a Student-t likelihood whose degrees of freedom are
# learnt too; AutoNormal guide built in a Trainer class.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal


def model(x, y=None):
    slope = pyro.sample("slope", dist.Normal(0.0, 5.0))
    intercept = pyro.sample("intercept", dist.Normal(0.0, 5.0))
    nu = pyro.sample("nu", dist.Gamma(2.0, 0.1))
    scale = pyro.sample("scale", dist.HalfNormal(2.0))
    with pyro.plate("points", len(x)):
        pyro.sample("y", dist.StudentT(nu, intercept + slope * x, scale), obs=y)


class Trainer:
    def __init__(self, lr):
        self.guide = AutoNormal(model)
        self.svi = SVI(model, self.guide, pyro.optim.Adam({"lr": lr}), Trace_ELBO())

    def run(self, x, y, steps):
        return [self.svi.step(x, y) for _ in range(steps)]


if __name__ == "__main__":
    args = argparse.ArgumentParser().parse_args()
    Trainer(0.01).run(torch.randn(50), torch.randn(50), 1000)
