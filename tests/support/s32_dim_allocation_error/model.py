"""svic support-match corpus: s32_dim_allocation_error, model side.

Oracle entry "suite, n- wplate, dim_allocation_error" (expected: dimension-error).
Written from the artifact's tests/pyro_test_suite/model35.py (not readable in the search index;
written as Pyro's test has it) and Pyro's
tests/infer/test_valid_models.py::test_dim_allocation_error.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5, requires_grad=True)
    with pyro.plate("plate_outer", 10, 5, dim=-2):
        x = pyro.sample("x", dist.Bernoulli(p))
        with pyro.plate("plate_inner_1", 11, 6):
            # automatic dim: the rightmost free one, -1
            y = pyro.sample("y", dist.Bernoulli(p))
            with pyro.plate("plate_inner_2", 12, 7, dim=-1):  # <- expected error: dim -1 already taken by plate_inner_1
                pyro.sample("z", dist.Bernoulli(p))
