"""svic support-match corpus: s28_nested_plate_plate_dim_error_3, guide side.

Oracle entry "suite, n- wplate, nested_plate_plate_dim_error_3" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide27.py and Pyro's
tests/infer/test_valid_models.py::test_nested_plate_plate_dim_error_3.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = torch.tensor([0.5], requires_grad=True)
    with pyro.plate("plate_outer", 10, 5) as ind_outer:
        pyro.sample("x", dist.Bernoulli(p).expand_by([5, 1]))
        with pyro.plate("plate_inner", 11, 6) as ind_inner:
            pyro.sample("y", dist.Bernoulli(p).expand_by([6]))
            pyro.sample("z", dist.Bernoulli(p).expand_by([6, 1]))
