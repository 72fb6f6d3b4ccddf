# A regression with shrinkage priors whose building blocks live in a sibling
# module (rw_priors.py), as projects split their helpers; AutoNormal guide.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro.infer.autoguide import AutoNormal

from .rw_priors import coefficients, global_scale


def model(x, y):
    tau = global_scale("tau", 0.5)
    beta = coefficients("beta", 4, 1.0)
    noise = global_scale("noise")
    with pyro.plate("n", x.shape[0]):
        pyro.sample("y", dist.Normal(x @ (tau * beta), noise), obs=y)


def main():
    guide = AutoNormal(model)
    return guide


if __name__ == "__main__":
    argparse.ArgumentParser().parse_args()
    main()
