"""svic support-match corpus: s05_variable_clash_in_guide_error, guide side.

Oracle entry "suite, 0-  plate, variable_clash_in_guide_error" (expected: duplicate-site-error).
Written from the artifact's tests/pyro_test_suite/guide5.py and Pyro's
tests/infer/test_valid_models.py::test_variable_clash_in_guide_error.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    pyro.sample("x", dist.Bernoulli(p))
    pyro.sample("x", dist.Bernoulli(p))  # <- expected error: second site named "x"
