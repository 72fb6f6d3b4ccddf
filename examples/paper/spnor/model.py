"""Split normal (the paper's Section 2 example), model side.  svic benchmark `spnor`;
entry `model()`.

z1 ~ Normal(0, 5), z2 ~ Normal(z1, 3); the observation x = 0 is scored under
Normal(1, 1) when z2 > 0 and under Normal(-2, 1) otherwise. The branch makes
the density jump at z2 = 0.

Expected smoothness (oracle): z1 diff; z2 none (the `if z2 > 0` guard), for
both the differentiability and the Lipschitz goal. Reparameterising z2 gives a
biased gradient; svic selects only z1.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    z1 = pyro.sample("z1", dist.Normal(0., 5.))
    z2 = pyro.sample("z2", dist.Normal(z1, 3.))
    if z2 > 0:
        pyro.sample("x", dist.Normal(1., 1.), obs=torch.tensor(0.))
    else:
        pyro.sample("x", dist.Normal(-2., 1.), obs=torch.tensor(0.))
