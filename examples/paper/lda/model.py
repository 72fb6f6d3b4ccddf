"""Latent Dirichlet allocation, model side.  svic benchmark `lda`;
entry `main(data=None, args=None, batch_size=None)`.

8 topics over a vocabulary of 1024 words; documents of 64 words; one
minibatch of 32 documents (data is [64 words, 1000 documents]).
  topic_weights  Gamma(1/8, 1)                      [8]
  topic_words    Dirichlet(ones(1024) / 1024)       [8, 1024]
  doc_topics     Dirichlet(topic_weights)           [32, 8]
  word_topics    Categorical(doc_topics), enumerated [64, 32]   (discrete)
  doc_words      Categorical(topic_words[word_topics]), observed

Expected smoothness (oracle): topic_weights, topic_words, doc_topics diff;
word_topics none (discrete; also used as an index).
"""
import torch
import pyro
import pyro.distributions as dist


def main(data=None, args=None, batch_size=None):
    data = torch.reshape(data, [64, 1000])

    # Global variables.
    with pyro.plate("topics", 8):
        topic_weights = pyro.sample("topic_weights", dist.Gamma(1. / 8, 1.))
        topic_words = pyro.sample("topic_words", dist.Dirichlet(torch.ones(1024) / 1024))

    # Local variables, for one minibatch of 32 documents (no subsampling,
    # see examples/paper/README.md).
    with pyro.plate("documents", 32) as ind:
        data = data[:, ind]
        doc_topics = pyro.sample("doc_topics", dist.Dirichlet(topic_weights))

        with pyro.plate("words", 64):
            # Marginalised out by enumeration; the guide does not sample it.
            word_topics = pyro.sample("word_topics", dist.Categorical(doc_topics),
                                      infer={"enumerate": "parallel"})
            data = pyro.sample("doc_words", dist.Categorical(topic_words[word_topics]),
                               obs=data)


def train(data, args=None, batch_size=None):
    """How the artifact trains the pair (Pyro's lda example): TraceEnum_ELBO sums word_topics out."""
    elbo = pyro.infer.TraceEnum_ELBO(max_plate_nesting=2)
    return elbo
