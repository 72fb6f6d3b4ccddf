"""svic support-match corpus: e_br_original, model side.

Oracle entry "BR example, original" (expected: mismatch).
Written from the artifact's tests/pyro_examples/br_model0.py (pyro.ai Bayesian regression part II).
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
    sigma = pyro.sample("sigma", dist.Uniform(0., 10.))
    mean = a + b_a * is_cont_africa + b_r * ruggedness + b_ar * is_cont_africa * ruggedness
    with pyro.plate("data", 170):
        pyro.sample("obs", dist.Normal(mean, sigma), obs=log_gdp)
