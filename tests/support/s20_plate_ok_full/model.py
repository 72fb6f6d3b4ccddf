"""svic support-match corpus: s20_plate_ok_full, model side.

Oracle entry "suite, 1- wplate, plate_ok (ssz=None)" (expected: match).
Written from the artifact's tests/pyro_test_suite/model9.py and Pyro's
tests/infer/test_valid_models.py::test_plate_ok[subsample_size=None].
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    with pyro.plate("plate", 10, None) as ind:
        pyro.sample("x", dist.Bernoulli(p).expand_by([10]))
