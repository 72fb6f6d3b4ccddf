"""Bayesian regression (rugged terrain vs. GDP), model side, as published.

Pyro's "Bayesian Regression - Inference Algorithms (Part 2)" tutorial
(pyro.ai/examples/bayesian_regression_ii.html, retrieved 2019-04-01 for the POPL 2020
support-match paper). Entry `main(is_cont_africa, ruggedness, log_gdp)`.

Five scalar latents: intercept `a`, slopes `bA`, `bR`, `bAR` (Normal) and the noise
level `sigma` ~ Uniform(0, 10). 170 observations in plate "data".

Expected support match (oracle "BR example, original"): mismatch at `sigma`. The
guide draws sigma from Normal(sigma_loc, 0.05), whose support R is not inside [0, 10].
The other four latents match (Normal against Normal).
Changes from the tutorial: pyro.iarange written pyro.plate; len(ruggedness) written
170 (the inputs are reshaped to [170]).
"""
import torch
import pyro
import pyro.distributions as dist


def main(is_cont_africa, ruggedness, log_gdp):
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
