"""svic support-match corpus: s07_mean_field_ok, model side.

Oracle entry "suite, 0-  plate, mean_field_ok" (expected: match).
Written from the artifact's tests/pyro_test_suite/model37.py and Pyro's
tests/infer/test_valid_models.py::test_mean_field_ok.
"""
import pyro
import pyro.distributions as dist


def model():
    x = pyro.sample("x", dist.Normal(0., 1.))
    pyro.sample("y", dist.Normal(x, 1.))
