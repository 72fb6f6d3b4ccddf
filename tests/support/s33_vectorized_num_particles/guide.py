"""svic support-match corpus: s33_vectorized_num_particles, guide side.

Oracle entry "suite, n- wplate, vectorized_num_particles" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide36.py and Pyro's
tests/infer/test_valid_models.py::test_vectorized_num_particles.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    data = torch.ones(1000, 2)
    with pyro.plate("components", 2):
        pyro.sample("p", dist.Beta(torch.tensor(1.1), torch.tensor(1.1)))
