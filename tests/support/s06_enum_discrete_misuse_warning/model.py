"""svic support-match corpus: s06_enum_discrete_misuse_warning, model side.

Oracle entry "suite, 0-  plate, enum_discrete_misuse_warning" (expected: match).
Written from the artifact's tests/pyro_test_suite/model32.py and Pyro's
tests/infer/test_valid_models.py::test_enum_discrete_misuse_warning.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    pyro.sample("x", dist.Bernoulli(p))
