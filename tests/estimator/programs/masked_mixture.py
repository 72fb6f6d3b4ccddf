"""Zero-inflated observations as mhmm writes them: a MaskedMixture of a Gamma and a Delta at the MISSING marker,
observed; tests/estimator/test_masked_mixture.py checks the ELBO and gradient against hand-computed sums."""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(x, missing):
    rate = pyro.param("rate", torch.tensor(1.5), constraint=constraints.positive)
    is_missing = x == missing
    pyro.sample("x", dist.MaskedMixture(is_missing, dist.Gamma(2.0, rate), dist.Delta(torch.tensor(missing))),
                obs=x)


def guide(x, missing):
    pass
