"""svic support-match corpus: e_lda_edited2, model side.

Oracle entry "LDA example, edited 2" (expected: match).
Written from the artifact's tests/pyro_examples/lda_model.py (pyro.ai amortised LDA).
"""
import torch
import pyro
import pyro.distributions as dist


def model(data):
    # data: [num_words_per_doc, num_documents] word ids
    data = torch.reshape(data, [64, 1000])

    # Globals.
    with pyro.plate("topics", 8):
        topic_weights = pyro.sample("topic_weights", dist.Gamma(1. / 8, 1.))
        topic_words = pyro.sample("topic_words", dist.Dirichlet(torch.ones(1024) / 1024))

    # Locals.
    with pyro.plate("documents", 1000, 32, dim=-1) as ind:
        data = data[:, ind]
        doc_topics = pyro.sample("doc_topics", dist.Dirichlet(topic_weights))
        with pyro.plate("words", 64, dim=-2):
            # Meant to be summed out by TraceEnum_ELBO; no guide site in the published example.
            word_topics = pyro.sample("word_topics", dist.Categorical(doc_topics),
                                      infer={"enumerate": "parallel"})
            data = pyro.sample("doc_words", dist.Categorical(topic_words[word_topics]), obs=data)
