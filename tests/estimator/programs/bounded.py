"""Bounded supports on the unconstrained space (test_bounded.py): AutoNormal maps its Normal through Pyro's
biject_to, a sigmoid into an interval and stick-breaking onto the simplex, and a written guide pushes a Normal
through SigmoidTransform."""
import torch
import pyro
import pyro.distributions as dist
from pyro.distributions import constraints, transforms


def coin_model(flips):
    # Beta(2, 2) and 15 heads in 20 flips: the posterior is Beta(17, 7), of mean 17 / 24.
    p = pyro.sample("p", dist.Beta(2.0, 2.0))
    with pyro.plate("flips", 20):
        pyro.sample("flip", dist.Bernoulli(p), obs=flips)


def sigmoid_guide(flips):
    loc = pyro.param("loc", torch.tensor(0.0))
    scale = pyro.param("scale", torch.tensor(0.5), constraint=constraints.positive)
    pyro.sample("p", dist.TransformedDistribution(dist.Normal(loc, scale), [transforms.SigmoidTransform()]))


def mixed_model(y):
    # An interval, the unit interval and the simplex, the last two under a plate.
    sigma = pyro.sample("sigma", dist.Uniform(0.5, 4.0))
    with pyro.plate("groups", 3):
        share = pyro.sample("share", dist.Beta(2.0, 5.0))
        mix = pyro.sample("mix", dist.Dirichlet(torch.ones(4)))
    level = (mix * torch.arange(4.0)).sum(-1) + share
    with pyro.plate("data", 6):
        pyro.sample("obs", dist.Normal(level.sum(), sigma), obs=y)


def topic_model(counts):
    # realworld 46 in small, with its counts' total as the Multinomial's total_count.
    with pyro.plate("topics", 2):
        topic_words = pyro.sample("topic_words", dist.Dirichlet(torch.full((6,), 0.5)))
    doc_prior = pyro.sample("doc_prior", dist.Gamma(2.0, 2.0))
    with pyro.plate("documents", counts.shape[0]):
        doc_topics = pyro.sample("doc_topics", dist.Dirichlet(doc_prior * torch.ones(2)))
        pyro.sample("words", dist.Multinomial(6, probs=doc_topics @ topic_words), obs=counts)
