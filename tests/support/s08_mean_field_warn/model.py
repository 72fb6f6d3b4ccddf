"""svic support-match corpus: s08_mean_field_warn, model side.

Oracle entry "suite, 0-  plate, mean_field_warn" (expected: match).
Written from the artifact's tests/pyro_test_suite/model38.py and Pyro's
tests/infer/test_valid_models.py::test_mean_field_warn.
"""
import pyro
import pyro.distributions as dist


def model():
    x = pyro.sample("x", dist.Normal(0., 1.))
    pyro.sample("y", dist.Normal(x, 1.))
