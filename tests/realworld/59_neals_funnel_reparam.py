# Neal's funnel fitted with SVI: the model is decentered with
# poutine.reparam(config={"x": LocScaleReparam(0.)}) at module level, and an
# AutoNormal guide is built from the reparameterised model in main(). svic
# analyses what SVI trains: x_decentered is the latent, x a deterministic
# value of it.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal
from pyro.infer.reparam import LocScaleReparam


def model(dim=10):
    y = pyro.sample("y", dist.Normal(0.0, 3.0))
    with pyro.plate("x_plate", dim):
        x = pyro.sample("x", dist.Normal(0.0, torch.exp(y / 2)))
    return y, x


reparam_model = poutine.reparam(model, config={"x": LocScaleReparam(0.0)})


def main(args):
    pyro.set_rng_seed(args.seed)
    guide = AutoNormal(reparam_model)
    svi = SVI(reparam_model, guide, pyro.optim.Adam({"lr": 0.01}), Trace_ELBO())
    for step in range(args.steps):
        loss = svi.step(args.dim)
        if step % 500 == 0:
            print(step, loss)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Neal's funnel, decentered")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--dim", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    main(parser.parse_args())
