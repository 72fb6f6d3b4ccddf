"""svic support-match corpus: x_iplate_plate_outer_full, guide side.

Oracle entry "suite variant: iplate_plate_ok with un-subsampled outer sequential plate" (expected: match).
Written from the artifact's tests/pyro_test_suite/guide22_variant.py (Pyro's test_iplate_plate_ok
with subsample_size None in the sequential plate).
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    p = pyro.param("p", torch.tensor(0.5, requires_grad=True))
    inner_plate = pyro.plate("plate", 3, 2)
    for i in pyro.plate("iplate", 3, None):
        with inner_plate as ind:
            pyro.sample("x_{}".format(i), dist.Bernoulli(p).expand_by([2]))
