# coin.py -- is a coin fair?  (the smallest useful svic example)
#
# What it shows
#   A Beta prior on the probability p of heads, ten Bernoulli observations in a
#   plate, and a guide with two positive-constrained parameters. Model and
#   guide are in one file: svic uses the functions named `model` and `guide`.
#
# What `svic analyze examples/tutorial/coin.py` should report
#   smoothness  model: p smooth.  guide: p, alpha_q, beta_q smooth.
#               (Same for --property diff, lips and cont: only smooth operations.
#               Bernoulli(p) is smooth in p because the Beta sample lies in (0, 1);
#               the positive constraint proves both Beta parameters > 0.)
#   support     p: model unit_interval, guide unit_interval -> match
#   reparam     selected: p;  score: none
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(data):
    # Prior belief: the coin is roughly fair.
    p = pyro.sample("p", dist.Beta(10.0, 10.0))
    with pyro.plate("data", 10):
        pyro.sample("obs", dist.Bernoulli(p), obs=data)


def guide(data):
    alpha_q = pyro.param("alpha_q", torch.tensor(15.0), constraint=constraints.positive)
    beta_q = pyro.param("beta_q", torch.tensor(15.0), constraint=constraints.positive)
    pyro.sample("p", dist.Beta(alpha_q, beta_q))
