# A regression whose coefficient groups come from a configuration dict, in the
# style of many small research scripts: the priors are read with .items(), the
# coefficient names with a list comprehension over a tuple, the linear
# predictor is a sum() over a generator expression, and the guide builds its
# params with a dict comprehension and a comprehension with an if, and
# samples in a loop over enumerate() of the configuration.
# Loops over known dicts, tuples and lists unroll, so every site keeps its name.
import argparse

import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

PRIOR_SCALES = {"intercept": 10.0, "age": 1.0, "dose": 1.0}
FEATURES = ("age", "dose")


def model(x, y=None):
    coef = {}
    for name, scale in PRIOR_SCALES.items():
        coef[name] = pyro.sample(name, dist.Normal(0.0, scale))
    noise = pyro.sample("noise", dist.HalfNormal(1.0))
    cols = [x[:, j] for j in range(len(FEATURES))]
    mean = coef["intercept"] + sum(coef[f] * c for f, c in zip(FEATURES, cols))
    with pyro.plate("data", x.shape[0]):
        pyro.sample("y", dist.Normal(mean, noise), obs=y)


def guide(x, y=None):
    locs = {name: pyro.param(name + "_loc", torch.tensor(0.0)) for name in PRIOR_SCALES}
    scales = [pyro.param(f"{name}_scale", torch.tensor(0.1), constraint=constraints.positive)
              for name in PRIOR_SCALES.keys() if name != "unused"]
    for i, name in enumerate(PRIOR_SCALES):
        pyro.sample(name, dist.Normal(locs[name], scales[i]))
    noise_rate = pyro.param("noise_rate", torch.tensor(1.0), constraint=constraints.positive)
    pyro.sample("noise", dist.Exponential(noise_rate))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args()
