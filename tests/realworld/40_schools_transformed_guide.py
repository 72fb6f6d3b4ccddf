# Eight-schools style SVI: the guide writes the school scale's posterior as
# a TransformedDistribution (exp of a Normal), and the model draws the
# school effects non-centred through an AffineTransform of a standard
# Normal, as Pyro's example scripts do with torch.distributions.transforms.
import argparse
import logging

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam
from torch.distributions import constraints, transforms

NUM_SCHOOLS = 8


def model(effects, stderr):
    mu = pyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = pyro.sample("tau", dist.HalfCauchy(5.0))
    with pyro.plate("schools", NUM_SCHOOLS):
        theta = pyro.sample(
            "theta",
            dist.TransformedDistribution(dist.Normal(0.0, 1.0), [transforms.AffineTransform(mu, tau)]),
        )
        pyro.sample("obs", dist.Normal(theta, stderr), obs=effects)


def guide(effects, stderr):
    mu_loc = pyro.param("mu_loc", torch.tensor(0.0))
    mu_scale = pyro.param("mu_scale", torch.tensor(1.0), constraint=constraints.positive)
    tau_loc = pyro.param("tau_loc", torch.tensor(0.0))
    tau_scale = pyro.param("tau_scale", torch.tensor(0.5), constraint=constraints.positive)
    theta_loc = pyro.param("theta_loc", torch.zeros(NUM_SCHOOLS))
    theta_scale = pyro.param("theta_scale", torch.ones(NUM_SCHOOLS), constraint=constraints.positive)
    pyro.sample("mu", dist.Normal(mu_loc, mu_scale))
    pyro.sample("tau", dist.TransformedDistribution(dist.Normal(tau_loc, tau_scale), transforms.ExpTransform()))
    with pyro.plate("schools", NUM_SCHOOLS):
        pyro.sample("theta", dist.Normal(theta_loc, theta_scale))


def main(args):
    effects = torch.tensor([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
    stderr = torch.tensor([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
    svi = SVI(model, guide, Adam({"lr": args.lr}), loss=Trace_ELBO())
    for step in range(args.steps):
        loss = svi.step(effects, stderr)
        if step % 100 == 0:
            logging.info("step %d loss %.3f", step, loss)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--steps", type=int, default=1000)
    main(parser.parse_args())
