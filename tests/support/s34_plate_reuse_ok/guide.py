"""svic support-match corpus: s34_plate_reuse_ok, guide side.

Oracle entry "suite, s- wplate, plate_reuse_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide24.py (not readable in the search index;
written as Pyro's test has it) and Pyro's
tests/infer/test_valid_models.py::test_plate_reuse_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = torch.tensor(0.5, requires_grad=True)
    plate_outer = pyro.plate("plate_outer", 10, 5, dim=-1)
    plate_inner = pyro.plate("plate_inner", 11, 6, dim=-2)
    with plate_outer as ind_outer:
        pyro.sample("x", dist.Bernoulli(p).expand_by([5]))
    with plate_inner as ind_inner:
        pyro.sample("y", dist.Bernoulli(p).expand_by([6, 1]))
    with plate_outer as ind_outer, plate_inner as ind_inner:
        pyro.sample("z", dist.Bernoulli(p).expand_by([6, 5]))
