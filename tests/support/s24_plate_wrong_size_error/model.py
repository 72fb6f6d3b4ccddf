"""svic support-match corpus: s24_plate_wrong_size_error, model side.

Oracle entry "suite, 1- wplate, plate_wrong_size_error" (expected: dimension-error).
Written from the artifact's tests/pyro_test_suite/model31.py and Pyro's
tests/infer/test_valid_models.py::test_plate_wrong_size_error.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    with pyro.plate("plate", 10, 5) as ind:
        pyro.sample("x", dist.Bernoulli(p).expand_by([6]))  # <- expected error: batch 6 vs plate 5 at dim -1
