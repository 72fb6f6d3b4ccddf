"""Split normal (the paper's Section 2 example), guide side.  svic benchmark `spnor`;
entry `guide()`.

Mean-field guide z1 ~ Normal(theta1, 1), z2 ~ Normal(theta2, 1).

Expected smoothness (oracle): z1, z2, theta1, theta2 diff.
"""
import torch
import pyro
import pyro.distributions as dist


def guide():
    theta1 = pyro.param("theta1", torch.tensor(1.))
    theta2 = pyro.param("theta2", torch.tensor(1.))
    z1 = pyro.sample("z1", dist.Normal(theta1, 1.))
    z2 = pyro.sample("z2", dist.Normal(theta2, 1.))
