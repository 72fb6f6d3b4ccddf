"""svic support-match corpus: s08_mean_field_warn, guide side.

Oracle entry "suite, 0-  plate, mean_field_warn" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide38.py and Pyro's
tests/infer/test_valid_models.py::test_mean_field_warn.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    loc = pyro.param("loc", torch.tensor(0.))
    y = pyro.sample("y", dist.Normal(loc, 1.))
    pyro.sample("x", dist.Normal(y, 1.))
