"""svic support-match corpus: e_lda_original, guide side.

Oracle entry "LDA example, original" (expected: mismatch).
Written from the artifact's tests/pyro_examples/lda_guide0.py (pyro.ai amortised LDA).
Non-standard use of SVI: doc_topics is a point mass, and word_topics has no guide site.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

layer1 = nn.Linear(1024, 100)
layer2 = nn.Linear(100, 100)
layer3 = nn.Linear(100, 8)
sigmoid = nn.Sigmoid()

layer1.weight.data.normal_(0, 0.001)
layer1.bias.data.normal_(0, 0.001)
layer2.weight.data.normal_(0, 0.001)
layer2.bias.data.normal_(0, 0.001)
layer3.weight.data.normal_(0, 0.001)
layer3.bias.data.normal_(0, 0.001)


def guide(data):
    data = torch.reshape(data, [64, 1000])

    pyro.module("layer1", layer1)
    pyro.module("layer2", layer2)
    pyro.module("layer3", layer3)

    # Conjugate guide for the globals.
    topic_weights_posterior = pyro.param("topic_weights_posterior", torch.ones(8) / 8,
                                         constraint=constraints.positive)
    topic_words_posterior = pyro.param("topic_words_posterior", torch.ones(8, 1024) / 1024,
                                       constraint=constraints.positive)
    with pyro.plate("topics", 8):
        topic_weights = pyro.sample("topic_weights", dist.Gamma(topic_weights_posterior, 1.))
        topic_words = pyro.sample("topic_words", dist.Dirichlet(topic_words_posterior))

    # Amortised guide for the locals.
    with pyro.plate("documents", 1000, 32) as ind:
        data = data[:, ind]
        counts = torch.zeros(1024, 32)
        counts = torch.Tensor.scatter_add_(counts, 0, data,
                                           torch.Tensor.expand(torch.tensor(1.), [1024, 32]))
        h1 = sigmoid(layer1(torch.transpose(counts, 0, 1)))
        h2 = sigmoid(layer2(h1))
        doc_topics_w = sigmoid(layer3(h2))
        # Point mass, as published (Delta(doc_topics_w, event_dim=1) in Pyro's example).
        doc_topics = pyro.sample("doc_topics", dist.Delta(doc_topics_w).to_event(1))
