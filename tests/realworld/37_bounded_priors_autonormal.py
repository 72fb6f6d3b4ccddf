# Terrain-ruggedness regression with bounded priors (a Uniform noise scale,
# a Beta share of heavy-tailed noise), fitted with an AutoNormal built in
# main(). Pyro's AutoNormal draws a Normal on the unconstrained space and maps
# it through biject_to(support): a sigmoid into (0, 1), and into (low, high)
# for the Uniform, so the guide stays inside the model's support.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal


def model(is_cont_africa, ruggedness, log_gdp):
    a = pyro.sample("a", dist.Normal(0.0, 10.0))
    b_a = pyro.sample("bA", dist.Normal(0.0, 1.0))
    b_r = pyro.sample("bR", dist.Normal(0.0, 1.0))
    sigma = pyro.sample("sigma", dist.Uniform(0.5, 10.0))
    heavy = pyro.sample("heavy", dist.Beta(1.0, 9.0))
    mean = a + b_a * is_cont_africa + b_r * ruggedness
    with pyro.plate("data", len(ruggedness)):
        pyro.sample("obs", dist.Normal(mean, sigma * (1.0 + 4.0 * heavy)), obs=log_gdp)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    n = 170
    is_cont_africa = (torch.rand(n) < 0.3).float()
    ruggedness = torch.rand(n) * 5.0
    log_gdp = 9.0 - 1.5 * is_cont_africa + 0.2 * ruggedness + 0.5 * torch.randn(n)
    guide = AutoNormal(model)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.03}), Trace_ELBO())
    for _ in range(args.steps):
        svi.step(is_cont_africa, ruggedness, log_gdp)


if __name__ == "__main__":
    main()
