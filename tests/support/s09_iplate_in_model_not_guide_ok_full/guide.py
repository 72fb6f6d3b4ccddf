"""svic support-match corpus: s09_iplate_in_model_not_guide_ok_full, guide side.

Oracle entry "suite, 1- iplate, iplate_in_model_not_guide_ok (ssz=None)" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide16.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_in_model_not_guide_ok[subsample_size=None].
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    pyro.sample("x", dist.Bernoulli(p))
