"""svic support-match corpus: x_iplate_iplate_swap_3plates, model side.

Oracle entry "suite variant: iplate_iplate_swap_ok, 3 nested sequential plates (24,12,8), swapped order" (expected: match).
Written from the artifact's tests/pyro_test_suite/model14_variant.py (a variant of Pyro's
test_iplate_iplate_swap_ok with a third loop).
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    iplate_0 = pyro.plate("plate_0", 24, None)
    iplate_1 = pyro.plate("plate_1", 12, None)
    iplate_2 = pyro.plate("plate_2", 8, None)
    for i in iplate_0:
        for j in iplate_1:
            for k in iplate_2:
                pyro.sample("x_{}_{}_{}".format(i, j, k), dist.Bernoulli(p))
