"""Multinomial observed with probs (total_count from the data, as prodlda computes it) and with logits
(test_multinomial.py compares the ELBO and its gradient with torch.distributions and finite differences, refuses
values off the support at their site, and simulates counts)."""
import torch
import torch.nn.functional as F
import pyro
import pyro.distributions as dist


def model(counts, counts2):
    u = pyro.param("u", torch.tensor([0.2, -0.3, 0.5]))
    lg = pyro.param("lg", torch.tensor([[0.1, -0.3, 0.7], [1.0, 0.0, -2.0]]))
    with pyro.plate("rows", 2):
        n = int(torch.max(torch.sum(counts, -1)))
        pyro.sample("a", dist.Multinomial(n, F.softmax(u, -1)), obs=counts)
        pyro.sample("b", dist.Multinomial(7, logits=lg), obs=counts2)


def guide(counts, counts2):
    pass


def tensor_count(counts, counts2):
    pyro.sample("a", dist.Multinomial(torch.tensor(6), torch.ones(3) / 3), obs=counts[0])


def unnormalised(counts, counts2):
    pyro.sample("a", dist.Multinomial(6, torch.ones(3)), obs=counts[0])
