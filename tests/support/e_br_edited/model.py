"""svic support-match corpus: e_br_edited, model side.

Oracle entry "BR example, edited" (expected: match).
Written from the artifact's tests/pyro_examples/br_model1.py (the artifact's fix of the BR tutorial).
"""
import torch
import pyro
import pyro.distributions as dist


def model(is_cont_africa, ruggedness, log_gdp):
    is_cont_africa = torch.reshape(is_cont_africa, [170])
    ruggedness = torch.reshape(ruggedness, [170])
    log_gdp = torch.reshape(log_gdp, [170])

    a = pyro.sample("a", dist.Normal(8., 1000.))
    b_a = pyro.sample("bA", dist.Normal(0., 1.))
    b_r = pyro.sample("bR", dist.Normal(0., 1.))
    b_ar = pyro.sample("bAR", dist.Normal(0., 1.))
    sigma = pyro.sample("sigma", dist.Uniform(0.1, 10.))
    mean = a + b_a * is_cont_africa + b_r * ruggedness + b_ar * is_cont_africa * ruggedness
    with pyro.plate("data", 170):
        pyro.sample("obs", dist.Normal(mean, sigma), obs=log_gdp)
