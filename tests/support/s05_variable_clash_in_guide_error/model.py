"""svic support-match corpus: s05_variable_clash_in_guide_error, model side.

Oracle entry "suite, 0-  plate, variable_clash_in_guide_error" (expected: duplicate-site-error).
Written from the artifact's tests/pyro_test_suite/model5.py and Pyro's
tests/infer/test_valid_models.py::test_variable_clash_in_guide_error.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    pyro.sample("x", dist.Bernoulli(p))
