"""svic support-match corpus: s19_iplate_iplate_swap_ok_ssz2, model side.

Oracle entry "suite, n- iplate, iplate_iplate_swap_ok (ssz=2)" (expected: match).
Written from the artifact's tests/pyro_test_suite/model15.py and Pyro's
tests/infer/test_valid_models.py::test_iplate_iplate_swap_ok[subsample_size=2].
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    outer_iplate = pyro.plate("plate_0", 3, 2)
    inner_iplate = pyro.plate("plate_1", 3, 2)
    for i in outer_iplate:
        for j in inner_iplate:
            pyro.sample("x_{}_{}".format(i, j), dist.Bernoulli(p))
