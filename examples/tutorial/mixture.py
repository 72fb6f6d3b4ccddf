# mixture.py -- a Gaussian mixture with a discrete latent per data point.
#
# What it shows
#   K = 3 components; each of the N = 100 points has a discrete component
#   `assignment` (Categorical). A discrete latent is never smooth: svic always
#   lists it under mayBreak (operation "discrete distribution") and always
#   estimates its gradient with the score function. Indexing `locs[assignment]`
#   is smooth in `locs` (the array) but not in the index.
#
# What `svic analyze examples/tutorial/mixture.py` should report
#   smoothness  model: weights, locs smooth; assignment mayBreak (discrete).
#               guide: weights, locs, weights_q, locs_q, assignment_probs smooth;
#               assignment mayBreak (discrete). The simplex constraint of
#               assignment_probs proves the Categorical probabilities > 0.
#   support     weights: simplex / simplex, locs: real / real,
#               assignment: integer_interval / integer_interval -> match
#   reparam     selected: locs, weights;  score: assignment
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

K = 3
N = 100


def model(data):
    weights = pyro.sample("weights", dist.Dirichlet(0.5 * torch.ones(K)))
    with pyro.plate("components", K):
        locs = pyro.sample("locs", dist.Normal(0., 10.))
    with pyro.plate("data", N):
        assignment = pyro.sample("assignment", dist.Categorical(weights))
        pyro.sample("obs", dist.Normal(locs[assignment], 1.), obs=data)


def guide(data):
    weights_q = pyro.param("weights_q", torch.ones(K), constraint=constraints.positive)
    locs_q = pyro.param("locs_q", torch.randn(K))
    assignment_probs = pyro.param("assignment_probs", torch.ones(N, K) / K,
                                  constraint=constraints.simplex)
    pyro.sample("weights", dist.Dirichlet(weights_q))
    with pyro.plate("components", K):
        pyro.sample("locs", dist.Normal(locs_q, 0.1))
    with pyro.plate("data", N):
        pyro.sample("assignment", dist.Categorical(assignment_probs))
