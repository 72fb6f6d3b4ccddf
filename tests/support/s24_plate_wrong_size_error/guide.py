"""svic support-match corpus: s24_plate_wrong_size_error, guide side.

Oracle entry "suite, 1- wplate, plate_wrong_size_error" (expected: dimension-error).
Written from the artifact's tests/pyro_test_suite/guide31.py and Pyro's
tests/infer/test_valid_models.py::test_plate_wrong_size_error.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    with pyro.plate("plate", 10, 5) as ind:
        pyro.sample("x", dist.Bernoulli(p).expand_by([6]))
