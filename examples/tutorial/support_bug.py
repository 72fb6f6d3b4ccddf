# support_bug.py -- the guide samples where the model has no density.
#
# What it shows
#   The model draws the noise level from Uniform(0, 10) but the guide draws it
#   from a Normal, which can return negative values (or values above 10) where
#   the model density is 0: log p = -inf, and the ELBO is undefined. This bug
#   was in Pyro's Bayesian-regression tutorial (benchmark `br` before the fix).
#
# What `svic analyze examples/tutorial/support_bug.py` should report
#   support     sigma: model interval [0, 10], guide real -> mismatch
#               (a, b_a: real / real -> match); overall verdict: mismatch.
#               [support.mismatch] error; with --werror the exit code is 1.
#   smoothness  guide: everything smooth. In the model the interval [0, 10]
#               contains 0, so svic cannot prove the Normal scale sigma > 0: it
#               may also warn [numeric.domain] and list sigma under mayBreak.
#   Fixes: sample sigma from a positive distribution in both programs (e.g.
#   LogNormal in the guide, Gamma or LogNormal in the model), as
#   linear_regression.py does.
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(x, y):
    a = pyro.sample("a", dist.Normal(0., 10.))
    b_a = pyro.sample("b_a", dist.Normal(0., 1.))
    sigma = pyro.sample("sigma", dist.Uniform(0., 10.))
    with pyro.plate("data", 170):
        pyro.sample("obs", dist.Normal(a + b_a * x, sigma), obs=y)


def guide(x, y):
    a_loc = pyro.param("a_loc", torch.tensor(0.))
    a_scale = pyro.param("a_scale", torch.tensor(1.), constraint=constraints.positive)
    b_loc = pyro.param("b_loc", torch.tensor(0.))
    b_scale = pyro.param("b_scale", torch.tensor(1.), constraint=constraints.positive)
    sigma_loc = pyro.param("sigma_loc", torch.tensor(1.), constraint=constraints.positive)
    pyro.sample("a", dist.Normal(a_loc, a_scale))
    pyro.sample("b_a", dist.Normal(b_loc, b_scale))
    # BUG: a Normal is not confined to [0, 10].
    pyro.sample("sigma", dist.Normal(sigma_loc, torch.tensor(0.05)))
