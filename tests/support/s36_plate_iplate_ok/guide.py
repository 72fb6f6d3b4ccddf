"""svic support-match corpus: s36_plate_iplate_ok, guide side.

Oracle entry "suite, n-iwplate, plate_iplate_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide21.py and Pyro's
tests/infer/test_valid_models.py::test_plate_iplate_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    with pyro.plate("plate", 3, 2) as ind:
        for i in pyro.plate("iplate", 3, 2):
            pyro.sample("x_{}".format(i), dist.Bernoulli(p).expand_by([2]))
