# Bayesian linear regression as the PyroModule tutorial writes it: the model
# is an object (`model = HousePrices(...)` at module level), its linear layer
# a PyroModule[nn.Linear] whose weight and bias are PyroSample priors, and the
# guide AutoDiagonalNormal(model). No --model-fn: the object named `model`
# is the entry.
import argparse

import pandas as pd
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Predictive, Trace_ELBO
from pyro.infer.autoguide import AutoDiagonalNormal
from pyro.nn import PyroModule, PyroSample


class HousePrices(PyroModule):
    def __init__(self, num_features, num_outputs=1):
        super().__init__()
        self.linear = PyroModule[nn.Linear](num_features, num_outputs)
        self.linear.weight = PyroSample(
            dist.Normal(0.0, 1.0).expand([num_outputs, num_features]).to_event(2))
        self.linear.bias = PyroSample(dist.Normal(0.0, 10.0).expand([num_outputs]).to_event(1))

    def forward(self, features, log_price=None):
        noise = pyro.sample("noise", dist.HalfCauchy(2.0))
        mean = self.linear(features).squeeze(-1)
        with pyro.plate("houses", features.shape[0]):
            pyro.sample("log_price", dist.Normal(mean, noise), obs=log_price)
        return mean


model = HousePrices(4)
guide = AutoDiagonalNormal(model)


def load(path):
    frame = pd.read_csv(path)
    x = torch.tensor(frame[["rooms", "age", "distance", "tax"]].values, dtype=torch.float)
    y = torch.tensor(frame["log_price"].values, dtype=torch.float)
    return x, y


def main(args):
    x, y = load(args.data)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": args.lr}), loss=Trace_ELBO())
    for step in range(args.steps):
        loss = svi.step(x, y)
        if step % 200 == 0:
            print("step {} loss {:.2f}".format(step, loss / len(y)))
    samples = Predictive(model, guide=guide, num_samples=500)(x)
    print(samples["log_price"].mean(0)[:5])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="houses.csv")
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--steps", type=int, default=1500)
    main(parser.parse_args())
