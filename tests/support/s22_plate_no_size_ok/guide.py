"""svic support-match corpus: s22_plate_no_size_ok, guide side.

Oracle entry "suite, 1- wplate, plate_no_size_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide11.py and Pyro's
tests/infer/test_valid_models.py::test_plate_no_size_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    with pyro.plate("plate"):
        pyro.sample("x", dist.Bernoulli(p).expand_by([10]))
