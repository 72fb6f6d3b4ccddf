"""Weekly store sales with a promotion effect.

The loader hands the model a (weeks, 2) tensor of log sales and promotion
flags; the model centres the sales column in place before using it, as the
original notebook did.
"""
import argparse

import pandas as pd
import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoDiagonalNormal
from pyro.optim import Adam


def load(path):
    frame = pd.read_csv(path)
    return torch.tensor(frame[["log_sales", "promo"]].values, dtype=torch.float)


def model(table):
    log_sales = table[:, 0]
    log_sales -= log_sales.mean()
    promo = table[:, 1]
    trend = pyro.sample("trend", dist.Normal(0.0, 0.1))
    lift = pyro.sample("lift", dist.Normal(0.0, 1.0))
    noise = pyro.sample("noise", dist.HalfCauchy(1.0))
    weeks = torch.arange(float(table.shape[0]))
    with pyro.plate("weeks", table.shape[0]):
        mean = trend * weeks + lift * promo
        pyro.sample("sales", dist.StudentT(4.0, mean, noise), obs=log_sales)


def main(args):
    table = load(args.csv)
    guide = AutoDiagonalNormal(model)
    svi = SVI(model, guide, Adam({"lr": 0.02}), Trace_ELBO())
    for step in range(args.steps):
        svi.step(table.clone())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", default="sales.csv")
    parser.add_argument("--steps", type=int, default=2000)
    main(parser.parse_args())
