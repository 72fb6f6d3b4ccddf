"""svic support-match corpus: s25_nested_plate_plate_ok, model side.

Oracle entry "suite, n- wplate, nested_plate_plate_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/model23.py and Pyro's
tests/infer/test_valid_models.py::test_nested_plate_plate_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5, requires_grad=True)
    with pyro.plate("plate_outer", 10, 5) as ind_outer:
        pyro.sample("x", dist.Bernoulli(p).expand_by([5]))
        with pyro.plate("plate_inner", 11, 6) as ind_inner:
            pyro.sample("y", dist.Bernoulli(p).expand_by([6, 5]))
