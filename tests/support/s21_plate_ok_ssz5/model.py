"""svic support-match corpus: s21_plate_ok_ssz5, model side.

Oracle entry "suite, 1- wplate, plate_ok (ssz=5)" (expected: match).
Written from the artifact's tests/pyro_test_suite/model10.py and Pyro's
tests/infer/test_valid_models.py::test_plate_ok[subsample_size=5].
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    with pyro.plate("plate", 10, 5) as ind:
        pyro.sample("x", dist.Bernoulli(p).expand_by([5]))
