"""svic support-match corpus: s10_iplate_in_model_not_guide_ok_ssz5, guide side.

Oracle entry "suite, 1- iplate, iplate_in_model_not_guide_ok (ssz=5)" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide17.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_in_model_not_guide_ok[subsample_size=5].
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    pyro.sample("x", dist.Bernoulli(p))
