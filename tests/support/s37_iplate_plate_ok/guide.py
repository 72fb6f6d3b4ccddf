"""svic support-match corpus: s37_iplate_plate_ok, guide side.

Oracle entry "suite, n-iwplate, iplate_plate_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide22.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_plate_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    inner_plate = pyro.plate("plate", 3, 2)
    for i in pyro.plate("iplate", 3, 2):
        with inner_plate as ind:
            pyro.sample("x_{}".format(i), dist.Bernoulli(p).expand_by([2]))
