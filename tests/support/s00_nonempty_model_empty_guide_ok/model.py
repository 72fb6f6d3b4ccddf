"""svic support-match corpus: s00_nonempty_model_empty_guide_ok, model side.

Oracle entry "suite, 0-  plate, nonempty_model_empty_guide_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/model0.py and Pyro's
tests/infer/test_valid_models.py::test_nonempty_model_empty_guide_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    loc = torch.tensor([0.0, 0.0])
    scale = torch.tensor([1.0, 1.0])
    pyro.sample("x", dist.Normal(loc, scale).to_event(1), obs=loc)
