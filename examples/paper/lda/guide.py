"""Latent Dirichlet allocation, guide side.  svic benchmark `lda`;
entry `main(data, args, batch_size=None)`.

Conjugate mean-field guide for the globals (Gamma / Dirichlet with
positive-constrained params) and an amortised guide for doc_topics: a
sigmoid MLP over the word histogram of each document, normalised by a softmax
and used as a point mass (Delta(..., event_dim=1)), i.e. doc_topics is a
deterministic function of the parameters in the guide.

Expected smoothness (oracle): topic_weights, topic_words diff; layer1, layer2,
layer3, topic_weights_posterior, topic_words_posterior diff.
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
softmax = nn.Softmax(dim=-1)

# Small random initialisation.
layer1.weight.data.normal_(0, 0.001)
layer1.bias.data.normal_(0, 0.001)
layer2.weight.data.normal_(0, 0.001)
layer2.bias.data.normal_(0, 0.001)
layer3.weight.data.normal_(0, 0.001)
layer3.bias.data.normal_(0, 0.001)


def main(data, args, batch_size=None):
    data = torch.reshape(data, [64, 1000])

    pyro.module("layer1", layer1)
    pyro.module("layer2", layer2)
    pyro.module("layer3", layer3)

    topic_weights_posterior = pyro.param("topic_weights_posterior",
                                         torch.ones(8),
                                         constraint=constraints.positive)
    topic_words_posterior = pyro.param("topic_words_posterior",
                                       torch.ones(8, 1024) * 0.5,
                                       constraint=constraints.positive)

    with pyro.plate("topics", 8):
        topic_weights = pyro.sample("topic_weights", dist.Gamma(topic_weights_posterior, 1.))
        topic_words = pyro.sample("topic_words", dist.Dirichlet(topic_words_posterior + 0.5))

    with pyro.plate("documents", 32) as ind:
        data = data[:, ind]
        # Word histogram of every document: [1024, 32].
        counts = torch.zeros(1024, 32)
        counts = torch.Tensor.scatter_add_(counts, 0, data,
                                           torch.Tensor.expand(torch.tensor(1.), [1024, 32]))
        h1 = sigmoid(layer1(torch.transpose(counts, 0, 1)))
        h2 = sigmoid(layer2(h1))
        doc_topics_w = sigmoid(layer3(h2))
        doc_topics = softmax(doc_topics_w)
        pyro.sample("doc_topics", dist.Delta(doc_topics, event_dim=1))
