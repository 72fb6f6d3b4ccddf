"""svic support-match corpus: s31_dim_allocation_ok, guide side.

Oracle entry "suite, n- wplate, dim_allocation_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide34.py and Pyro's
tests/infer/test_valid_models.py::test_dim_allocation_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = torch.tensor(0.5, requires_grad=True)
    with pyro.plate("plate_outer", 10, 5, dim=-3):
        x = pyro.sample("x", dist.Bernoulli(p))
        with pyro.plate("plate_inner_1", 11, 6):
            # automatic dim: the rightmost free one, -1
            y = pyro.sample("y", dist.Bernoulli(p))
            with pyro.plate("plate_inner_2", 12, 7):
                # automatic dim: next free one, -2
                z = pyro.sample("z", dist.Bernoulli(p))
                with pyro.plate("plate_inner_3", 13, 8):
                    # -3 is taken, so -4
                    q = pyro.sample("q", dist.Bernoulli(p))
