"""svic support-match corpus: s04_model_guide_shape_mismatch_error, guide side.

Oracle entry "suite, 0-  plate, model_guide_shape_mismatch_error" (expected: mismatch).
Written from the artifact's tests/pyro_test_suite/guide4.py and Pyro's
tests/infer/test_valid_models.py::test_model_guide_shape_mismatch_error.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    loc = pyro.param("loc", torch.zeros(2, 1, requires_grad=True))
    scale = pyro.param("scale", torch.ones(2, 1, requires_grad=True))
    pyro.sample("x", dist.Normal(loc, scale).to_event(2))
