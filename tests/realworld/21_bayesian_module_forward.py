# The model is the forward of an nn.Module (as in the regression tutorial):
# `model = BayesianRegression(...)` and `AutoDiagonalNormal(model)` in main.
# svic-args: --model-fn BayesianRegression.forward
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoDiagonalNormal


class BayesianRegression(nn.Module):
    def __init__(self, in_features=3):
        super().__init__()
        self.in_features = in_features

    def forward(self, x, y=None):
        weight = pyro.sample("linear.weight",
                             dist.Normal(0.0, 1.0).expand([self.in_features]).to_event(1))
        bias = pyro.sample("linear.bias", dist.Normal(0.0, 10.0))
        sigma = pyro.sample("sigma", dist.Gamma(2.0, 1.0))
        mean = bias + x @ weight
        with pyro.plate("data", x.shape[0]):
            pyro.sample("obs", dist.Normal(mean, sigma), obs=y)
        return mean


def main():
    model = BayesianRegression(3)
    guide = AutoDiagonalNormal(model)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.03}), Trace_ELBO())
    x, y = torch.randn(100, 3), torch.randn(100)
    for _ in range(1000):
        svi.step(x, y)


if __name__ == "__main__":
    main()
