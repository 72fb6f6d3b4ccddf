"""svic support-match corpus: s06_enum_discrete_misuse_warning, guide side.

Oracle entry "suite, 0-  plate, enum_discrete_misuse_warning" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide32.py and Pyro's
tests/infer/test_valid_models.py::test_enum_discrete_misuse_warning.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    pyro.sample("x", dist.Bernoulli(p), infer={"enumerate": "parallel"})
