"""bench/bounded_steps.py's large simplex: 4 topics over a vocabulary of 1000 words, as Dirichlet latents under
AutoNormal (stick-breaking of 999 unconstrained entries each), and 10 documents' topic mixtures."""
import torch
import pyro
import pyro.distributions as dist


def model(counts):
    with pyro.plate("topics", 4):
        words = pyro.sample("words", dist.Dirichlet(torch.full((1000,), 0.5)))
    with pyro.plate("docs", counts.shape[0]):
        mix = pyro.sample("mix", dist.Dirichlet(torch.ones(4)))
        pyro.sample("obs", dist.Multinomial(20, probs=mix @ words), obs=counts)
