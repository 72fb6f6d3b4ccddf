# Amortised Poisson factor model: the guide is a function of the inference
# network and the data, and main() builds the network and binds it with
# functools.partial before handing the partial to SVI. svic finds the guide
# through that SVI call; the network it binds is unknown to it, so its calls
# are opaque and every property in them may break.
import argparse
import functools

import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam


def model(counts):
    rate = pyro.sample("rate", dist.Gamma(2.0, 1.0))
    with pyro.plate("cells", counts.shape[0]):
        size = pyro.sample("size", dist.LogNormal(0.0, 1.0))
        pyro.sample("counts", dist.Poisson(rate * size), obs=counts)


def amortised_guide(net, counts):
    shape = pyro.param("shape", torch.tensor(2.0))
    pyro.sample("rate", dist.Gamma(torch.exp(shape), 1.0))
    pyro.module("net", net)
    with pyro.plate("cells", counts.shape[0]):
        loc = net(counts.unsqueeze(-1)).squeeze(-1)
        pyro.sample("size", dist.LogNormal(loc, 0.2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hidden", type=int, default=8)
    args = parser.parse_args()
    net = nn.Sequential(nn.Linear(1, args.hidden), nn.Tanh(), nn.Linear(args.hidden, 1))
    guide = functools.partial(amortised_guide, net)
    svi = SVI(model, guide, Adam({"lr": 0.01}), Trace_ELBO())
    counts = torch.poisson(3.0 * torch.ones(20))
    for _ in range(5):
        svi.step(counts)


if __name__ == "__main__":
    main()
