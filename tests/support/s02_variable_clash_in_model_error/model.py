"""svic support-match corpus: s02_variable_clash_in_model_error, model side.

Oracle entry "suite, 0-  plate, variable_clash_in_model_error" (expected: duplicate-site-error).
Written from the artifact's tests/pyro_test_suite/model2.py and Pyro's
tests/infer/test_valid_models.py::test_variable_clash_in_model_error.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    pyro.sample("x", dist.Bernoulli(p))
    pyro.sample("x", dist.Bernoulli(p))  # <- expected error: second site named "x"
