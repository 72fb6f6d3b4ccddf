"""svic support-match corpus: s07_mean_field_ok, guide side.

Oracle entry "suite, 0-  plate, mean_field_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide37.py and Pyro's
tests/infer/test_valid_models.py::test_mean_field_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    loc = pyro.param("loc", torch.tensor(0.))
    x = pyro.sample("x", dist.Normal(loc, 1.))
    pyro.sample("y", dist.Normal(x, 1.))
