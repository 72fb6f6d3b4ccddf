"""svic support-match corpus: s13_iplate_ok_full, model side.

Oracle entry "suite, 1- iplate, iplate_ok (ssz=None)" (expected: match).
Written from the artifact's tests/pyro_test_suite/model6.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_ok[subsample_size=None].
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    for i in pyro.plate("plate", 4, None):
        pyro.sample("x_{}".format(i), dist.Bernoulli(p))
