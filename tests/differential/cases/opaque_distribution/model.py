import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


# A distribution svic does not model: its log-density has a kink in loc and
# in the value (svic never sees its methods, so it claims nothing of them).
class Kinked(dist.TorchDistribution):
    arg_constraints = {}
    support = constraints.real

    def __init__(self, loc):
        self.loc = loc
        super().__init__(batch_shape=torch.Size(), validate_args=False)

    def sample(self, sample_shape=torch.Size()):
        return self.loc.detach() + 0.25

    def log_prob(self, x):
        return -(x - self.loc).abs()


def model():
    u = pyro.sample('u', dist.Normal(0., 1.))
    k = pyro.sample('k', dist.Normal(0., 1.))
    g = pyro.sample('g', dist.Normal(0., 1.))
    pyro.sample('a', dist.Normal(u, 1.), obs=torch.tensor(0.3))
    pyro.sample('b', Kinked(k), obs=torch.tensor(0.1))
    # Zero-inflated counts: not in svic's table either.
    pyro.sample('c', dist.ZeroInflatedPoisson(torch.exp(u), gate=torch.sigmoid(g)),
                obs=torch.tensor(0.))
    w = pyro.sample('w', Kinked(u))
    pyro.sample('d', dist.Normal(w, 1.), obs=torch.tensor(-0.2))
    # Untouched by the opaque sites: its claims stand, and are checked.
    v = pyro.sample('v', dist.Normal(0., 1.))
    pyro.sample('e', dist.Normal(v * v, torch.exp(v)), obs=torch.tensor(0.7))
