# Occupancy model over survey visits with a per-site presence flag summed out
# by enumeration; main() hands the model to AutoDiagonalNormal behind
# poutine.block whose expose_fn is a small def comparing the first four
# letters of each site name, so only the continuous rates get guide sites.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer import SVI, TraceEnum_ELBO
from pyro.infer.autoguide import AutoDiagonalNormal
from pyro.optim import Adam


def model(detections):
    sites, visits = detections.shape
    occupancy = pyro.sample("rate_occupancy", dist.Beta(1.0, 1.0))
    detect = pyro.sample("rate_detect", dist.Beta(1.0, 1.0))
    with pyro.plate("sites", sites):
        present = pyro.sample("present", dist.Bernoulli(occupancy),
                              infer={"enumerate": "parallel"})
        with pyro.plate("visits", visits):
            pyro.sample("seen", dist.Bernoulli(detect * present.unsqueeze(-1)),
                        obs=detections)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()

    def only_rates(msg):
        return msg["name"][:4] == "rate"

    guide = AutoDiagonalNormal(poutine.block(model, expose_fn=only_rates))
    svi = SVI(model, guide, Adam({"lr": 0.02}), TraceEnum_ELBO(max_plate_nesting=2))
    detections = torch.bernoulli(0.3 * torch.ones(12, 4))
    for _ in range(args.steps):
        svi.step(detections)


if __name__ == "__main__":
    main()
