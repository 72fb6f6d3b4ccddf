"""Bayesian logistic regression on click logs, trained on minibatches.

The plate draws the minibatch indices; pyro.subsample picks the matching
rows of the features and labels, so the same model runs on the full data
set (no subsample_size) and on minibatches.
"""
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam
from torch.distributions import constraints


class ClickModel:
    def __init__(self, num_features, batch_size=None):
        self.num_features = num_features
        self.batch_size = batch_size

    def model(self, features, clicks):
        weight = pyro.sample("weight", dist.Laplace(torch.zeros(self.num_features), 1.0).to_event(1))
        bias = pyro.sample("bias", dist.Normal(0.0, 5.0))
        with pyro.plate("rows", features.shape[0], subsample_size=self.batch_size, dim=-1):
            x = pyro.subsample(features, event_dim=1)
            y = pyro.subsample(clicks, event_dim=0)
            pyro.sample("click", dist.Bernoulli(logits=x @ weight + bias), obs=y)

    def guide(self, features, clicks):
        w_loc = pyro.param("w_loc", torch.zeros(self.num_features))
        w_scale = pyro.param("w_scale", 0.1 * torch.ones(self.num_features),
                             constraint=constraints.positive)
        b_loc = pyro.param("b_loc", torch.tensor(0.0))
        pyro.sample("weight", dist.Normal(w_loc, w_scale).to_event(1))
        pyro.sample("bias", dist.Normal(b_loc, 0.1))


clicks_model = ClickModel(num_features=8, batch_size=64)


def main(args):
    features = torch.randn(args.num_rows, 8)
    clicks = torch.bernoulli(torch.sigmoid(features.sum(-1)))
    svi = SVI(clicks_model.model, clicks_model.guide, Adam({"lr": 0.01}), Trace_ELBO())
    for epoch in range(args.epochs):
        svi.step(features, clicks)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--num-rows", type=int, default=5000)
    parser.add_argument("--epochs", type=int, default=300)
    main(parser.parse_args())
