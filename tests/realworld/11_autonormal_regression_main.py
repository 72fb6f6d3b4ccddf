# Bayesian linear regression trained with an AutoNormal guide built in main(),
# data read with pandas, hyper-parameters from argparse.
import argparse
import logging

import pandas as pd
import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal
from pyro.optim import ClippedAdam


def model(features, target=None):
    num_features = features.shape[-1]
    bias = pyro.sample("bias", dist.Normal(0.0, 10.0))
    weight = pyro.sample("weight", dist.Normal(0.0, 1.0).expand([num_features]).to_event(1))
    sigma = pyro.sample("sigma", dist.HalfCauchy(2.0))
    mean = bias + features @ weight
    with pyro.plate("rows", features.shape[0]):
        pyro.sample("target", dist.Normal(mean, sigma), obs=target)
    return mean


def load(path):
    df = pd.read_csv(path)
    x = torch.tensor(df[["a", "b", "c"]].values, dtype=torch.float)
    y = torch.tensor(df["y"].values, dtype=torch.float)
    return x, y


def main(args):
    x, y = load(args.csv)
    pyro.clear_param_store()
    guide = AutoNormal(model)
    svi = SVI(model, guide, ClippedAdam({"lr": args.lr}), Trace_ELBO())
    for step in range(args.steps):
        loss = svi.step(x, y)
        if step % 100 == 0:
            logging.info("step %d loss %.2f", step, loss)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Bayesian regression")
    parser.add_argument("--csv", default="data.csv")
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--steps", type=int, default=2000)
    main(parser.parse_args())
