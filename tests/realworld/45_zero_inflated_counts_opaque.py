"""Zero-inflated Poisson regression of fish caught per camping group.

The likelihood uses Pyro's ZeroInflatedPoisson, the overdispersion prior a
transformed distribution, and the group effect a distribution class written
for this project.
"""
import argparse

import numpy as np
import torch
import pyro
import pyro.distributions as dist
import pyro.distributions.transforms as T
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal
from pyro.optim import ClippedAdam
from torch.distributions import constraints


class SoftLaplace(dist.TorchDistribution):
    """The hyperbolic secant distribution: a smoothed Laplace prior."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = loc, scale
        super().__init__(batch_shape=torch.broadcast_shapes(loc.shape, scale.shape),
                         validate_args=validate_args)

    def sample(self, sample_shape=torch.Size()):
        u = torch.rand(self._extended_shape(sample_shape))
        return self.loc + self.scale * torch.log(torch.tan(0.5 * np.pi * u))

    def log_prob(self, value):
        z = (value - self.loc) / self.scale
        return -torch.log(torch.cosh(z)) - torch.log(np.pi * self.scale)


def model(features, counts=None):
    num_groups, num_features = features.shape
    coef = pyro.sample("coef", dist.Normal(torch.zeros(num_features), 1.0).to_event(1))
    intercept = pyro.sample("intercept", dist.Normal(0.0, 3.0))
    gate_logit = pyro.sample("gate_logit", dist.Normal(-1.0, 1.0))
    # exp then a square root: a transform svic does not model
    spread = pyro.sample("spread", dist.TransformedDistribution(
        dist.Normal(0.0, 0.5), [T.ExpTransform(), T.PowerTransform(torch.tensor(0.5))]))
    effect = pyro.sample("effect", SoftLaplace(torch.tensor(0.0), spread))
    with pyro.plate("groups", num_groups):
        rate = torch.exp(intercept + effect + features @ coef)
        pyro.sample("obs", dist.ZeroInflatedPoisson(rate, gate=torch.sigmoid(gate_logit)),
                    obs=counts)


guide = AutoNormal(model)


def main(args):
    rng = np.random.default_rng(args.seed)
    features = torch.tensor(rng.normal(size=(args.num_groups, 3)), dtype=torch.float)
    counts = torch.tensor(rng.poisson(2.0, size=args.num_groups), dtype=torch.float)
    svi = SVI(model, guide, ClippedAdam({"lr": args.lr}), Trace_ELBO())
    for step in range(args.num_steps):
        loss = svi.step(features, counts)
        if step % 100 == 0:
            print(f"step {step} loss {loss:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="zero-inflated fish counts")
    parser.add_argument("--num-groups", type=int, default=250)
    parser.add_argument("--num-steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    main(parser.parse_args())
