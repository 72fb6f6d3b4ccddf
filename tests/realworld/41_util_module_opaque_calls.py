"""Latent factor regression written as a script: helpers in a sibling module
imported with `import rw41_util`, numpy constants, a scipy call svic does not
model, a handler decorator and lambdas."""
import argparse

import numpy as np
import scipy.special
import torch
import pyro
import pyro.distributions as dist
import pyro.poutine as poutine
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam

import rw41_util

Z_DIM = 2


@poutine.scale(scale=1.0 / np.float32(4.0))
def prior_term(w):
    return pyro.sample("tau", dist.Gamma(2.0, 2.0 + 0.0 * w.sum()))


def model(x, y):
    x = rw41_util.standardise(x)
    w = pyro.sample("w", dist.Normal(torch.zeros(Z_DIM), rw41_util.PRIOR_SCALE).to_event(1))
    tau = prior_term(w)
    link = lambda v: v * np.pi
    with pyro.plate("data", x.shape[0]):
        z = pyro.sample("z", dist.Normal(torch.zeros(x.shape[0], Z_DIM), 1.).to_event(1))
        # A calibration curve from scipy: svic does not model it.
        p = scipy.special.expit(link((z * w).sum(-1)))
        pyro.sample("y", dist.Normal(torch.as_tensor(p), 1. / tau), obs=y)


def guide(x, y):
    encoder = rw41_util.Encoder(x.shape[-1], Z_DIM)
    pyro.module("encoder", encoder)
    w_loc = pyro.param("w_loc", lambda: torch.zeros(Z_DIM))
    pyro.sample("w", dist.Normal(w_loc, 0.1).to_event(1))
    pyro.sample("tau", dist.Gamma(2.0, 2.0))
    with pyro.plate("data", x.shape[0]):
        loc, scale = encoder(rw41_util.standardise(x))
        pyro.sample("z", dist.Normal(loc, scale).to_event(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    rw41_util.setup_logging("train.log")
    x, y = torch.randn(100, 5), torch.randn(100)
    svi = SVI(model, guide, Adam({"lr": 1e-2}), Trace_ELBO())
    for step in range(args.steps):
        svi.step(x, y)


if __name__ == "__main__":
    main()
