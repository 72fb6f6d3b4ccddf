"""svic support-match corpus: s13_iplate_ok_full, guide side.

Oracle entry "suite, 1- iplate, iplate_ok (ssz=None)" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide6.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_ok[subsample_size=None].
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    for i in pyro.plate("plate", 4, None):
        pyro.sample("x_{}".format(i), dist.Bernoulli(p))
