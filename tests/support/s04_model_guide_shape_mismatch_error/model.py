"""svic support-match corpus: s04_model_guide_shape_mismatch_error, model side.

Oracle entry "suite, 0-  plate, model_guide_shape_mismatch_error" (expected: mismatch).
Written from the artifact's tests/pyro_test_suite/model4.py and Pyro's
tests/infer/test_valid_models.py::test_model_guide_shape_mismatch_error.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    loc = torch.zeros(1, 2)
    scale = torch.ones(1, 2)
    pyro.sample("x", dist.Normal(loc, scale).to_event(2))
