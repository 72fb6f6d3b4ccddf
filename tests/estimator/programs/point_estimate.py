"""Point estimates and scatter_add_ (test_point_estimate.py): a Delta guide over a model density is trained on
Pyro's objective, the log joint at the point (MAP), whose optimum is known in closed form here; scatter_add_ in a
model is checked against torch."""
import torch
import pyro
import pyro.distributions as dist
from pyro.infer.autoguide import AutoDelta


def rate_model(counts):
    # MAP of Gamma(2, 1) and four Poisson counts summing to 10: (2 - 1 + 10) / (1 + 4) = 2.2.
    rate = pyro.sample("rate", dist.Gamma(2.0, 1.0))
    with pyro.plate("obs", 4):
        pyro.sample("counts", dist.Poisson(rate), obs=counts)


rate_guide = AutoDelta(rate_model)


def mix_model(words):
    # MAP of Dirichlet(2, 2, 2) and word counts (3, 2, 1): (counts + 1) / 9.
    theta = pyro.sample("theta", dist.Dirichlet(torch.tensor([2.0, 2.0, 2.0])))
    with pyro.plate("words", 6):
        pyro.sample("w", dist.Categorical(theta), obs=words)


def mix_guide(words):
    logits = pyro.param("logits", torch.zeros(3))
    pyro.sample("theta", dist.Delta(torch.softmax(logits, -1), event_dim=1))


def weighted_guide(words):
    logits = pyro.param("logits", torch.zeros(3))
    pyro.sample("theta", dist.Delta(torch.softmax(logits, -1), log_density=1.0, event_dim=1))


def scatter_model(idx, y):
    w = pyro.param("w", torch.tensor([[0.5, -1.0], [2.0, 0.3], [1.5, 0.7]]))
    counts = torch.zeros(4, 2)
    counts.scatter_add_(0, idx, w * w)  # in place, as torch
    wide = torch.Tensor.scatter_add_(torch.ones(4, 2), 1, idx[:2, :1], torch.exp(w))  # src larger than the index
    pyro.sample("y", dist.Normal(counts, 1.0).to_event(2), obs=y)
    pyro.sample("z", dist.Normal(wide[:3], 2.0).to_event(2), obs=y[:3])


def scatter_guide(idx, y):
    pass
