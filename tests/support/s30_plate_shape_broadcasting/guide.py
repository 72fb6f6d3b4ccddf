"""svic support-match corpus: s30_plate_shape_broadcasting, guide side.

Oracle entry "suite, n- wplate, plate_shape_broadcasting" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide33.py and Pyro's
tests/infer/test_valid_models.py::test_plate_shape_broadcasting.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    data = torch.ones(1000, 2)
    with pyro.plate("num_particles", 10, dim=-3):
        with pyro.plate("components", 2, dim=-1):
            pyro.sample("p", dist.Beta(torch.tensor(1.1), torch.tensor(1.1)))
