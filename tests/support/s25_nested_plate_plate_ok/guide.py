"""svic support-match corpus: s25_nested_plate_plate_ok, guide side.

Oracle entry "suite, n- wplate, nested_plate_plate_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide23.py (not readable in the search index;
written as Pyro's test has it) and Pyro's
tests/infer/test_valid_models.py::test_nested_plate_plate_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = torch.tensor(0.5, requires_grad=True)
    with pyro.plate("plate_outer", 10, 5) as ind_outer:
        pyro.sample("x", dist.Bernoulli(p).expand_by([5]))
        with pyro.plate("plate_inner", 11, 6) as ind_inner:
            pyro.sample("y", dist.Bernoulli(p).expand_by([6, 5]))
