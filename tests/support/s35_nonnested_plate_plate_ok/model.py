"""svic support-match corpus: s35_nonnested_plate_plate_ok, model side.

Oracle entry "suite, s- wplate, nonnested_plate_plate_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/model29.py and Pyro's
tests/infer/test_valid_models.py::test_nonnested_plate_plate_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5, requires_grad=True)
    with pyro.plate("plate_0", 10, 5) as ind1:
        pyro.sample("x0", dist.Bernoulli(p).expand_by([5]))
    with pyro.plate("plate_1", 11, 6) as ind2:
        pyro.sample("x1", dist.Bernoulli(p).expand_by([6]))
