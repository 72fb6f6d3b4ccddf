"""svic support-match corpus: s12_iplate_in_guide_not_model_error_ssz5, guide side.

Oracle entry "suite, 1- iplate, iplate_in_guide_not_model_error (ssz=5)" (expected: mismatch).
Written from the artifact's tests/pyro_test_suite/guide19.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_in_guide_not_model_error[subsample_size=5].
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    for i in pyro.plate("plate", 10, 5):
        pass
    pyro.sample("x", dist.Bernoulli(p))
