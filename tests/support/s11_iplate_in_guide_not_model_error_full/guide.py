"""svic support-match corpus: s11_iplate_in_guide_not_model_error_full, guide side.

Oracle entry "suite, 1- iplate, iplate_in_guide_not_model_error (ssz=None)" (expected: mismatch).
Written from the artifact's tests/pyro_test_suite/guide18.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_in_guide_not_model_error[subsample_size=None].
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    for i in pyro.plate("plate", 10, None):
        pass
    pyro.sample("x", dist.Bernoulli(p))
