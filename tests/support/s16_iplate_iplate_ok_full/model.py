"""svic support-match corpus: s16_iplate_iplate_ok_full, model side.

Oracle entry "suite, n- iplate, iplate_iplate_ok (ssz=None)" (expected: match).
Written from the artifact's tests/pyro_test_suite/model12.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_iplate_ok[subsample_size=None].
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    outer_iplate = pyro.plate("plate_0", 3, None)
    inner_iplate = pyro.plate("plate_1", 3, None)
    for i in outer_iplate:
        for j in inner_iplate:
            pyro.sample("x_{}_{}".format(i, j), dist.Bernoulli(p))
