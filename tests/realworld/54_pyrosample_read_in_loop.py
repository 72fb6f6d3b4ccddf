# A local-level time-series model written as a PyroModule, as in Pyro's
# forecasting tutorials: the drift and the shock size are PyroSample
# attributes first read inside the time loop (the shock only on the steps a
# mask marks), and once more after it. Pyro draws each at its first read in
# the call and caches it, so each is one site; the guide is AutoNormal of
# the object, built in main().
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal
from pyro.nn import PyroModule, PyroSample


class LocalLevel(PyroModule):
    def __init__(self, num_steps, shock_every=7):
        super().__init__()
        self.num_steps = num_steps
        self.shock_every = shock_every
        self.drift = PyroSample(dist.Normal(0.0, 0.1))
        self.shock = PyroSample(dist.LogNormal(0.0, 1.0))
        self.noise = PyroSample(dist.HalfCauchy(1.0))

    def forward(self, series):
        level = series[0]
        for t in range(1, self.num_steps):
            level = level + self.drift
            if t % self.shock_every == 0:
                level = level + self.shock * torch.tanh(series[t - 1] - level)
            pyro.sample(f"obs_{t}", dist.Normal(level, self.noise), obs=series[t])
        return level + self.drift


def main(args):
    series = torch.cumsum(0.1 * torch.randn(args.num_steps), 0)
    model = LocalLevel(args.num_steps)
    guide = AutoNormal(model)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.01}), Trace_ELBO())
    for step in range(args.steps):
        svi.step(series)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--num-steps", type=int, default=30)
    parser.add_argument("--steps", type=int, default=300)
    main(parser.parse_args())
