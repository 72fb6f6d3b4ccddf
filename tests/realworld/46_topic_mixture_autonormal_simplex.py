"""Topic proportions of short documents with a mean-field autoguide.

Topics and per-document mixtures are Dirichlet latents; AutoNormal learns
them on the unconstrained space Pyro maps onto the simplex.
"""
import argparse
import logging

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, TraceMeanField_ELBO
from pyro.infer.autoguide import AutoNormal
from pyro.optim import Adam

logging.basicConfig(format="%(message)s", level=logging.INFO)
NUM_TOPICS = 4
VOCAB_SIZE = 30


def model(counts):
    num_docs = counts.shape[0]
    with pyro.plate("topics", NUM_TOPICS):
        topic_words = pyro.sample(
            "topic_words", dist.Dirichlet(torch.full((VOCAB_SIZE,), 0.5)))
    doc_prior = pyro.sample("doc_prior", dist.Gamma(2.0, 2.0))
    with pyro.plate("documents", num_docs):
        doc_topics = pyro.sample(
            "doc_topics", dist.Dirichlet(doc_prior * torch.ones(NUM_TOPICS)))
        word_probs = doc_topics @ topic_words
        pyro.sample("words", dist.Multinomial(probs=word_probs, validate_args=False), obs=counts)


def main(args):
    pyro.set_rng_seed(args.seed)
    counts = torch.randint(0, 3, (args.num_docs, VOCAB_SIZE)).float()
    guide = AutoNormal(model)
    svi = SVI(model, guide, Adam({"lr": args.learning_rate}), TraceMeanField_ELBO())
    for step in range(args.num_steps):
        loss = svi.step(counts)
        if step % 50 == 0:
            logging.info("step %d elbo %.1f", step, -loss)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Dirichlet topic mixtures with AutoNormal")
    parser.add_argument("--num-docs", default=100, type=int)
    parser.add_argument("--num-steps", default=500, type=int)
    parser.add_argument("--learning-rate", default=0.05, type=float)
    parser.add_argument("--seed", default=0, type=int)
    main(parser.parse_args())
