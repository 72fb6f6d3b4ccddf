# linear_regression.py -- Bayesian linear regression y = w * x + b + noise.
#
# What it shows
#   Scalar latents, a plate over 100 data points, and positive-constrained
#   guide parameters. The noise level `sigma` has a Gamma prior in the model and
#   a LogNormal in the guide: different distributions, same support (positive).
#
# What `svic analyze examples/tutorial/linear_regression.py` should report
#   smoothness  model: w, b, sigma smooth.
#               guide: w, b, sigma and all six params smooth.
#               `constraint=constraints.positive` is what lets svic prove the
#               Normal scales w_scale, b_scale > 0. Remove it and svic warns
#               [numeric.domain] and lists that parameter under mayBreak.
#   support     w: real / real, b: real / real, sigma: positive / positive -> match
#   reparam     selected: b, sigma, w;  score: none
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(x, y):
    w = pyro.sample("w", dist.Normal(0., 10.))
    b = pyro.sample("b", dist.Normal(0., 10.))
    sigma = pyro.sample("sigma", dist.Gamma(2.0, 2.0))
    with pyro.plate("data", 100):
        pyro.sample("obs", dist.Normal(w * x + b, sigma), obs=y)


def guide(x, y):
    w_loc = pyro.param("w_loc", torch.tensor(0.))
    w_scale = pyro.param("w_scale", torch.tensor(1.), constraint=constraints.positive)
    b_loc = pyro.param("b_loc", torch.tensor(0.))
    b_scale = pyro.param("b_scale", torch.tensor(1.), constraint=constraints.positive)
    sigma_loc = pyro.param("sigma_loc", torch.tensor(0.))
    sigma_scale = pyro.param("sigma_scale", torch.tensor(0.1), constraint=constraints.positive)

    pyro.sample("w", dist.Normal(w_loc, w_scale))
    pyro.sample("b", dist.Normal(b_loc, b_scale))
    pyro.sample("sigma", dist.LogNormal(sigma_loc, sigma_scale))
