# Logistic regression on a large data set: each step sees a minibatch drawn
# by pyro.plate's subsampling, and the likelihood is scaled up by hand with
# poutine.scale (as older scripts do) to the full data set.
import argparse

import numpy as np
import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal

FULL_SIZE = 10000
BATCH = 100


def model(x, y):
    coef = pyro.sample("coef", dist.Normal(torch.zeros(5), 2.0).to_event(1))
    intercept = pyro.sample("intercept", dist.Normal(0.0, 5.0))
    with poutine.scale(scale=FULL_SIZE / BATCH):
        with pyro.plate("batch", BATCH):
            logits = intercept + x @ coef
            pyro.sample("y", dist.Bernoulli(logits=logits), obs=y)


def batches(x, y, rng):
    idx = rng.choice(len(x), BATCH, replace=False)
    return x[idx], y[idx]


def main(args):
    rng = np.random.default_rng(args.seed)
    x = torch.randn(FULL_SIZE, 5)
    y = torch.bernoulli(torch.sigmoid(x.sum(-1)))
    guide = AutoNormal(model, init_scale=0.05)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.01}), Trace_ELBO())
    for _ in range(args.steps):
        svi.step(*batches(x, y, rng))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--steps", type=int, default=1000)
    main(p.parse_args())
