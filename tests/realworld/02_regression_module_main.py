# Bayesian linear regression: a module-level network object, a model and an
# explicit guide as functions, data loading and the SVI loop in main().
import argparse
import logging

import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam
from torch.distributions import constraints

logging.basicConfig(level=logging.INFO)
NUM_FEATURES = 3
regressor = nn.Linear(NUM_FEATURES, 1)


def load(path):
    df = pd.read_csv(path)
    return torch.tensor(df.values, dtype=torch.float)


def model(x, y):
    pyro.module("regressor", regressor)
    sigma = pyro.sample("sigma", dist.Uniform(0., 10.))
    with pyro.plate("data", x.shape[0]):
        mean = regressor(x).squeeze(-1)
        pyro.sample("obs", dist.Normal(mean, sigma), obs=y)


def guide(x, y):
    loc = pyro.param("sigma_loc", torch.tensor(1.), constraint=constraints.interval(0., 10.))
    pyro.sample("sigma", dist.Normal(loc, torch.tensor(0.05)))


def main(args):
    data = load(args.data)
    svi = SVI(model, guide, Adam({"lr": 0.01}), loss=Trace_ELBO())
    for step in range(args.steps):
        loss = svi.step(data[:, :-1], data[:, -1])
        if step % 100 == 0:
            logging.info("step %d loss %.2f", step, loss)
    print(np.mean(loss))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="regression")
    parser.add_argument("--data", default="data.csv")
    parser.add_argument("--steps", type=int, default=1000)
    main(parser.parse_args())
