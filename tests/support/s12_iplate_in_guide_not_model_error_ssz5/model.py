"""svic support-match corpus: s12_iplate_in_guide_not_model_error_ssz5, model side.

Oracle entry "suite, 1- iplate, iplate_in_guide_not_model_error (ssz=5)" (expected: mismatch).
Written from the artifact's tests/pyro_test_suite/model19.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_in_guide_not_model_error[subsample_size=5].
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    pyro.sample("x", dist.Bernoulli(p))
