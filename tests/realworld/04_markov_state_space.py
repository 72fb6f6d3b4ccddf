# A local-level state-space model written with pyro.markov, as time-series
# examples are, with the guide in the same file and a main() that trains it.
import sys

import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints

T = 20


def model(ys):
    sigma = pyro.sample("sigma", dist.HalfNormal(1.))
    z = torch.tensor(0.)
    for t in pyro.markov(range(T)):
        z = pyro.sample(f"z_{t}", dist.Normal(z, sigma))
        pyro.sample(f"y_{t}", dist.Normal(z, 0.5), obs=ys[t])


def guide(ys):
    s_loc = pyro.param("s_loc", torch.tensor(0.))
    pyro.sample("sigma", dist.LogNormal(s_loc, 0.1))
    for t in pyro.markov(range(T)):
        loc = pyro.param(f"loc_{t}", torch.tensor(0.))
        scale = pyro.param(f"scale_{t}", torch.tensor(1.), constraint=constraints.positive)
        pyro.sample(f"z_{t}", dist.Normal(loc, scale))


def main(argv):
    ys = torch.randn(T)
    print(len(argv), ys)


if __name__ == "__main__":
    main(sys.argv)
