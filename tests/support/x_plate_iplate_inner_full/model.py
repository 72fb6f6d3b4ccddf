"""svic support-match corpus: x_plate_iplate_inner_full, model side.

Oracle entry "suite variant: plate_iplate_ok with un-subsampled inner sequential plate" (expected: match).
Written from the artifact's tests/pyro_test_suite/model21_variant.py (Pyro's test_plate_iplate_ok
with subsample_size None in the sequential plate).
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    with pyro.plate("plate", 3, 2) as ind:
        for i in pyro.plate("iplate", 3, None):
            pyro.sample("x_{}".format(i), dist.Bernoulli(p).expand_by([2]))
