# tensor_branch.py -- a tensor model whose likelihood switches on the sign of a latent.
#
# What it shows
#   Regression over a plate of data points, where the slope in force is w[0]
#   when the latent `regime` is positive and w[1] otherwise. The density jumps
#   in `regime` at 0 (for every data point at once), but is smooth in the
#   vector latent `w`. Pyro's default Trace_ELBO reparameterises both latents;
#   its gradient for `regime_loc` then ignores the jump and is biased. svic
#   keeps `w` pathwise (low variance) and puts `regime` on the score
#   estimator, which is unbiased.
#
# What `svic analyze examples/tutorial/tensor_branch.py` should report
#   smoothness  model: w smooth; regime mayBreak, witness: the comparison
#               `regime > 0` that `torch.where` selects on (diff, lips, cont).
#               guide: every latent and param smooth.
#   support     w, regime: real / real -> match
#   reparam     selected: w;  score: regime
#
# Data: examples/data/tensor_branch.json (x and y, 20 points).
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(x, y):
    w = pyro.sample("w", dist.Normal(torch.zeros(2), 2.).to_event(1))
    regime = pyro.sample("regime", dist.Normal(0., 1.))
    with pyro.plate("data", x.shape[0]):
        slope = torch.where(regime > 0, w[0], w[1])
        pyro.sample("y", dist.Normal(slope * x, 0.5), obs=y)


def guide(x, y):
    w_loc = pyro.param("w_loc", torch.zeros(2))
    w_scale = pyro.param("w_scale", torch.ones(2), constraint=constraints.positive)
    regime_loc = pyro.param("regime_loc", torch.tensor(0.5))
    pyro.sample("w", dist.Normal(w_loc, w_scale).to_event(1))
    pyro.sample("regime", dist.Normal(regime_loc, 1.))
