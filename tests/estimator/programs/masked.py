"""Boolean-mask indexing, as cvae does it: a mask computed from the data alone (x == -1) selects and assigns, so
the selection's shape is known once the data is given (test_masked.py). The other functions are refused, each with
a located error: a mask from a latent, a mask from the data and a latent, a mask that does not fit, a float tensor
used as an index."""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(x, y):
    loc = pyro.param("loc", torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 1.0, 1.1, 1.2]]))
    scale = pyro.param("scale", torch.tensor([1.0, 2.0, 0.5, 1.5]), constraint=constraints.positive)
    m = x == -1
    # Selection (1-D, in row-major order) and assignment through the mask.
    pyro.sample("y", dist.Normal(loc[m], torch.Tensor.expand(scale, [3, 4])[m]).to_event(1), obs=y[m])
    filled = torch.Tensor.clone(x)
    filled[m] = loc[m]
    pyro.sample("filled", dist.Normal(filled, 1.0).to_event(2), obs=torch.zeros(3, 4))
    # bool * bool is a logical and; a 2-D mask after a full slice selects over the last two dims.
    both = m * (y > 0)
    stack = torch.stack([loc, 2 * loc])
    pyro.sample("both", dist.Normal(stack[:, both], 1.0).to_event(2), obs=torch.ones(2, 4))
    # A size from the data: the longest row's count of masked entries.
    n = int(torch.max(torch.sum(torch.Tensor.float(m), -1)))
    pyro.sample("n", dist.Normal(torch.zeros(n), scale[0:n]).to_event(1), obs=torch.arange(n) * 0.5)


def guide(x, y):
    pass


def latent_mask(x, y):
    z = pyro.sample("z", dist.Normal(torch.zeros(4), 1.0).to_event(1))
    pyro.sample("obs", dist.Normal(torch.sum(y[0][z > 0]), 1.0), obs=torch.tensor(0.0))


def mixed_mask(x, y):
    z = pyro.sample("z", dist.Normal(torch.zeros(4), 1.0).to_event(1))
    pyro.sample("obs", dist.Normal(torch.sum(y[0][x[0] + z > 0]), 1.0), obs=torch.tensor(0.0))


def latent_guide(x, y):
    pyro.sample("z", dist.Normal(torch.zeros(4), 1.0).to_event(1))


def wrong_shape(x, y):
    pyro.sample("obs", dist.Normal(torch.sum(y[(x == -1)[0:2]]), 1.0), obs=torch.tensor(0.0))


def float_index(x, y):
    pyro.sample("obs", dist.Normal(torch.sum(y[torch.Tensor.float(x == -1)]), 1.0), obs=torch.tensor(0.0))
