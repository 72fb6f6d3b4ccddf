# A model that reuses a helper for per-group noise and hides the helper's
# draws from the guide with the call form of poutine.block (the handler
# applied to the helper, then called), down-weights a second helper with
# poutine.scale's call form, and names its observations printf-style, as
# Pyro's example scripts from before f-strings do.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer import SVI, Trace_ELBO
from torch.distributions import constraints


def group_noise(num_groups):
    # Nuisance draws: hidden from the guide by the block below.
    return pyro.sample("noise", dist.Normal(0.0, 0.1).expand([num_groups]).to_event(1))


def prior_pull(loc):
    pyro.sample("anchor", dist.Normal(loc, 1.0), obs=torch.tensor(0.0))


def model(data, num_groups=3):
    loc = pyro.sample("loc", dist.Normal(0.0, 10.0))
    noise = poutine.block(group_noise, hide=["noise"])(num_groups)
    poutine.scale(prior_pull, scale=0.5)(loc)
    for g in range(num_groups):
        pyro.sample("obs_%d" % g, dist.Normal(loc + noise[g], 1.0), obs=data[g])


def guide(data, num_groups=3):
    loc_loc = pyro.param("loc_loc", torch.tensor(0.0))
    loc_scale = pyro.param("loc_scale", torch.tensor(1.0), constraint=constraints.positive)
    pyro.sample("loc", dist.Normal(loc_loc, loc_scale))


def main(args):
    data = torch.randn(3) + 2.0
    svi = SVI(model, guide, pyro.optim.Adam({"lr": args.lr}), loss=Trace_ELBO())
    for step in range(args.steps):
        loss = svi.step(data)
        if step % 100 == 0:
            print("step %d loss %.3f" % (step, loss))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--steps", type=int, default=500)
    main(parser.parse_args())
