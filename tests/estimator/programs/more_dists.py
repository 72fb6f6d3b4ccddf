# Laplace, Cauchy, HalfCauchy, StudentT, Geometric (probs and logits), Binomial and ZeroInflatedNegativeBinomial observed under params
# (test_more_dists.py compares the ELBO and its gradient with torch.distributions, and simulates each).
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(a, c, h, t, g, gl, b, z):
    loc = pyro.param("loc", torch.tensor(0.3))
    scale = pyro.param("scale", torch.tensor(1.7), constraint=constraints.positive)
    df = pyro.param("df", torch.tensor(4.5), constraint=constraints.positive)
    p = pyro.param("p", torch.tensor(0.35), constraint=constraints.unit_interval)
    logit = pyro.param("logit", torch.tensor(-0.4))
    gate = pyro.param("gate", torch.tensor(0.8))
    with pyro.plate("data", 6):
        pyro.sample("a", dist.Laplace(loc, scale), obs=a)
        pyro.sample("c", dist.Cauchy(loc, scale), obs=c)
        pyro.sample("h", dist.HalfCauchy(scale), obs=h)
        pyro.sample("t", dist.StudentT(df, loc, scale), obs=t)
        pyro.sample("g", dist.Geometric(p), obs=g)
        pyro.sample("gl", dist.Geometric(logits=logit), obs=gl)
        pyro.sample("b", dist.Binomial(7, p), obs=b)
        pyro.sample("z", dist.ZeroInflatedNegativeBinomial(df, logits=logit, gate_logits=gate), obs=z)


def guide(a, c, h, t, g, gl, b, z):
    pass


def von_mises(a, c, h, t, g, gl, b, z):
    """VonMises observed with a concentration below and above 3.75 (torch's two approximations of log I0)."""
    loc = pyro.param("loc", torch.tensor(0.3))
    scale = pyro.param("scale", torch.tensor(1.7), constraint=constraints.positive)
    df = pyro.param("df", torch.tensor(4.5), constraint=constraints.positive)
    with pyro.plate("data", 6):
        pyro.sample("a", dist.VonMises(loc, scale), obs=a)
        pyro.sample("t", dist.VonMises(loc, df), obs=t)


def von_mises_latent(a, c, h, t, g, gl, b, z):
    pyro.sample("v", dist.VonMises(0.0, 1.0))

