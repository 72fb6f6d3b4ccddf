# Topic proportions per document observed through word counts: the counts
# are a Multinomial given only its probs (torch's total_count default, which
# its log_prob does not read), the guide is written by hand (Dirichlet
# posteriors with softplus-constrained concentrations), and the guide's
# shapes are built with torch.Size as the VAE tutorial builds them.
import torch
import torch.nn.functional as F
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, TraceGraph_ELBO

NUM_TOPICS = 4


def model(counts):
    num_docs, vocab = counts.shape
    with pyro.plate("topics", NUM_TOPICS):
        topic_words = pyro.sample("topic_words", dist.Dirichlet(torch.ones(vocab) / vocab))
    with pyro.plate("docs", num_docs):
        doc_topics = pyro.sample("doc_topics", dist.Dirichlet(torch.ones(NUM_TOPICS)))
        word_probs = doc_topics @ topic_words
        pyro.sample("words", dist.Multinomial(probs=word_probs, validate_args=False), obs=counts)


def guide(counts):
    num_docs, vocab = counts.shape
    tw_raw = pyro.param("tw_raw", torch.zeros(torch.Size((NUM_TOPICS, vocab))))
    dt_raw = pyro.param("dt_raw", torch.zeros(torch.Size([num_docs, NUM_TOPICS])))
    with pyro.plate("topics", NUM_TOPICS):
        pyro.sample("topic_words", dist.Dirichlet(F.softplus(tw_raw) + 0.01))
    with pyro.plate("docs", num_docs):
        pyro.sample("doc_topics", dist.Dirichlet(F.softplus(dt_raw) + 0.01))


def fit(counts, steps=1000):
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.05}), TraceGraph_ELBO())
    for _ in range(steps):
        svi.step(counts)
