"""svic support-match corpus: s15_iplate_variable_clash_error, guide side.

Oracle entry "suite, 1- iplate, iplate_variable_clash_error" (expected: duplicate-site-error).
Written from the artifact's tests/pyro_test_suite/guide8.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_variable_clash_error.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    for i in pyro.plate("plate", 2):
        pyro.sample("x", dist.Bernoulli(p))
