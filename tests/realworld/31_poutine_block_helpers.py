# Heteroscedastic regression where helpers draw values that are not part of
# the inference: the model's noise helper is decorated with
# poutine.block(hide=[...]) to keep its jitter out of the trace, and the guide
# draws a diagnostic probe inside a bare `with poutine.block():`. Without the
# blocks, "jitter" would be a model-only latent and "probe" a guide-only one.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer import SVI, Trace_ELBO
from torch.distributions import constraints


@poutine.block(hide=["jitter"])
def noise_scale(base):
    jitter = pyro.sample("jitter", dist.Uniform(0.9, 1.1))
    noise = pyro.sample("noise", dist.LogNormal(base, 0.5))
    return noise * jitter


def model(x, y):
    w = pyro.sample("w", dist.Normal(0.0, 1.0))
    b = pyro.sample("b", dist.Normal(0.0, 5.0))
    sigma = noise_scale(-1.0)
    with pyro.plate("data", len(x)):
        pyro.sample("y", dist.Normal(w * x + b, sigma), obs=y)
    # a second look at the data that must not count in the ELBO
    with poutine.block(hide_types=["observe"]):
        pyro.sample("y_check", dist.Normal(w * x + b, 1.0).to_event(1), obs=y)


def guide(x, y):
    w_loc = pyro.param("w_loc", torch.tensor(0.0))
    b_loc = pyro.param("b_loc", torch.tensor(0.0))
    n_loc = pyro.param("n_loc", torch.tensor(-1.0))
    w_scale = pyro.param("w_scale", torch.tensor(0.1), constraint=constraints.positive)
    with poutine.block():
        probe = pyro.sample("probe", dist.Normal(0.0, 1.0))
    pyro.sample("w", dist.Normal(w_loc, w_scale))
    pyro.sample("b", dist.Normal(b_loc, 0.1))
    pyro.sample("noise", dist.LogNormal(n_loc, 0.1))
    return probe


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args()
    x = torch.linspace(-1.0, 1.0, 50)
    y = 2.0 * x + 0.3 + 0.2 * torch.randn(50)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.02}), Trace_ELBO())
    for _ in range(args.steps):
        svi.step(x, y)


if __name__ == "__main__":
    main()
