"""svic support-match corpus: s23_plate_broadcast_error, guide side.

Oracle entry "suite, 1- wplate, plate_broadcast_error" (expected: dimension-error).
Written from the artifact's tests/pyro_test_suite/guide20.py (not readable in the search index;
written as Pyro's test has it) and Pyro's
tests/infer/test_valid_models.py::test_plate_broadcast_error.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = torch.tensor(0.5, requires_grad=True)
    with pyro.plate("plate", 10, 5):
        pyro.sample("x", dist.Bernoulli(p).expand_by([2]))
