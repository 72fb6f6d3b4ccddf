"""CSIS toy model (Gaussian with unknown mean), model side.  svic benchmark `csis`;
entry `main(observations)`.

z ~ Normal(1, sqrt 5); two observations x1, x2 ~ Normal(z, sqrt 2). The
observed values come from a dict argument {"x1": ..., "x2": ...}.

Expected smoothness (oracle): z diff.
"""
import torch
import pyro
import pyro.distributions as dist

prior_mean = torch.tensor(1.)


def main(observations={"x1": 0, "x2": 0}):
    obs = torch.tensor([float(observations["x1"]), float(observations["x2"])])
    z = pyro.sample("z", dist.Normal(prior_mean, torch.tensor(5 ** 0.5)))
    pyro.sample("x1", dist.Normal(z, torch.tensor(2 ** 0.5)), obs=obs[0])
    pyro.sample("x2", dist.Normal(z, torch.tensor(2 ** 0.5)), obs=obs[1])
