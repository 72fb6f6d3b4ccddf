"""svic simulate --redraw (tests/estimator/test_simulate.py): as ProdLDA, the Multinomial's total count is computed
from the documents themselves, so the given documents size the draw that replaces them."""
import torch
import pyro
import pyro.distributions as dist


def main(docs):
    with pyro.plate("documents", docs.shape[0]):
        total_count = int(torch.max(torch.sum(docs, -1)))
        probs = torch.ones(docs.shape[0], docs.shape[1]) / docs.shape[1]
        pyro.sample("obs", dist.Multinomial(total_count, probs), obs=docs)
