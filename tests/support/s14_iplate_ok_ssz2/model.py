"""svic support-match corpus: s14_iplate_ok_ssz2, model side.

Oracle entry "suite, 1- iplate, iplate_ok (ssz=2)" (expected: match).
Written from the artifact's tests/pyro_test_suite/model7.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_ok[subsample_size=2].
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    for i in pyro.plate("plate", 4, 2):
        pyro.sample("x_{}".format(i), dist.Bernoulli(p))
