"""svic support-match corpus: s33_vectorized_num_particles, model side.

Oracle entry "suite, n- wplate, vectorized_num_particles" (expected: match).
Written from the artifact's tests/pyro_test_suite/model36.py and Pyro's
tests/infer/test_valid_models.py::test_vectorized_num_particles.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    data = torch.ones(1000, 2)
    with pyro.plate("components", 2):
        p = pyro.sample("p", dist.Beta(torch.tensor(1.1), torch.tensor(1.1)))
        with pyro.plate("data", 1000):
            pyro.sample("obs", dist.Bernoulli(p), obs=data)
