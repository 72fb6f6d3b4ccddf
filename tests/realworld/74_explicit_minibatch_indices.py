# Minibatches chosen by the training loop and handed to the plate as explicit
# indices (`pyro.plate(..., subsample=batch)`), as older Pyro examples do.
# The plate holds len(batch) entries of its size, scaled up; `as idx` is the
# batch itself. The guide's plate never binds it.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from torch.distributions import constraints


def model(features, counts, batch):
    n, d = features.shape
    coef = pyro.sample("coef", dist.Normal(torch.zeros(d), 1.0).to_event(1))
    with pyro.plate("households", n, subsample=batch) as idx:
        rate = torch.exp(features[idx] @ coef)
        pyro.sample("count", dist.Poisson(rate), obs=counts[idx])


def guide(features, counts, batch):
    d = features.shape[1]
    loc = pyro.param("coef_loc", torch.zeros(d))
    scale = pyro.param("coef_scale", 0.1 * torch.ones(d), constraint=constraints.positive)
    pyro.sample("coef", dist.Normal(loc, scale).to_event(1))
    with pyro.plate("households", features.shape[0], subsample=batch):
        pass


def main(args):
    features, counts = torch.randn(500, 3), torch.randint(0, 5, (500,)).float()
    svi = SVI(model, guide, pyro.optim.Adam({"lr": args.lr}), Trace_ELBO())
    for step in range(args.steps):
        batch = torch.randperm(500)[: args.batch_size]
        svi.step(features, counts, batch)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=50)
    main(parser.parse_args())
