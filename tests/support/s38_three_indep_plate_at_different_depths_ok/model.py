"""svic support-match corpus: s38_three_indep_plate_at_different_depths_ok, model side.

Oracle entry "suite, n-iwplate, three_indep_plate_at_different_depths_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/model30.py and Pyro's
tests/infer/test_valid_models.py::test_three_indep_plate_at_different_depths_ok.
"""
import torch
import pyro
import pyro.distributions as dist


def model():
    p = torch.tensor(0.5)
    inner_plate = pyro.plate("plate2", 10, 5)
    for i in pyro.plate("plate0", 2):
        pyro.sample("x_{}".format(i), dist.Bernoulli(p))
        if i == 0:
            for j in pyro.plate("plate1", 2):
                with inner_plate as ind:
                    pyro.sample("y_{}".format(j), dist.Bernoulli(p).expand_by([5]))
        elif i == 1:
            with inner_plate as ind:
                pyro.sample("z", dist.Bernoulli(p).expand_by([5]))
