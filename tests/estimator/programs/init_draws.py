"""Parameter initialisers drawn from distributions, `pyro.param(name, lambda: dist.X(...).sample([n]))`
(test_params.py checks each draw's law by its moments or quantiles)."""
import torch
import pyro
import pyro.distributions as dist


def model():
    pyro.sample("x", dist.Normal(0.0, 1.0))


def guide():
    u = pyro.param("uniform", lambda: dist.Uniform(0.0, 2.0).sample([4000]))
    t = pyro.param("student_t", lambda: dist.StudentT(5.0, 100.0, 2.0).sample([4000]))
    c = pyro.param("cauchy", lambda: dist.Cauchy(-3.0, 0.5).sample([4000]))
    h = pyro.param("half_cauchy", lambda: dist.HalfCauchy(2.0).sample([4000]))
    a = pyro.param("laplace", lambda: dist.Laplace(3.0, 1.5).sample([4000]))
    pyro.sample("x", dist.Normal(u.mean() + t.mean() + c.mean() + h.mean() + a.mean(), 1.0))


def mvn_guide():
    m = pyro.param("m", lambda: dist.MultivariateNormal(torch.zeros(2), torch.eye(2)).sample([3]))
    pyro.sample("x", dist.Normal(m.sum(), 1.0))
