"""svic support-match corpus: e_lda_edited2, guide side.

Oracle entry "LDA example, edited 2" (expected: match).
Written from the artifact's tests/pyro_examples/lda_guide2.py (the artifact's second edit of the LDA guide).
The guide also samples word_topics from its exact conditional, inside plate words(64).
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
        doc_topics = pyro.sample("doc_topics", dist.Dirichlet(doc_topics_w))

        # Exact conditional of word_topics given doc_topics, topic_words and the words.
        with pyro.plate("words", 64):
            ks = torch.arange(0, 8)
            ks = torch.Tensor.expand(ks, 32, 8)
            ks = torch.Tensor.transpose(ks, 0, 1)
            logprob1 = dist.Categorical.log_prob(dist.Categorical(doc_topics), ks)
            logprob1 = torch.Tensor.transpose(logprob1, 0, 1)
            logprob1 = torch.Tensor.expand(logprob1, 64, 32, 8)
            data2 = torch.Tensor.expand(data, 8, 64, 32)
            data2 = torch.Tensor.transpose(data2, 0, 1)
            data2 = torch.Tensor.transpose(data2, 1, 2)
            logprob2 = dist.Categorical.log_prob(dist.Categorical(topic_words), data2)
            prob = torch.exp(logprob1 + logprob2)
            word_topics = pyro.sample("word_topics", dist.Categorical(prob))
