"""Hierarchical mixed-effects hidden Markov model (animal movement), guide side.
svic benchmark `mhmm`; entry `guide(config)`.

Mean-field Normal guide for the two random effects, in the same plates as the
model; the discrete states y_{} are enumerated in the model and not sampled here.

Expected smoothness (oracle): eps_g, eps_i diff; loc_group, scale_group,
loc_individual, scale_individual diff.
"""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def guide(config):
    """Mean-field guide for the continuous random effects."""
    N_state = config["sizes"]["state"]

    loc_g = pyro.param("loc_group", torch.zeros((N_state ** 2,)))
    scale_g = pyro.param("scale_group", torch.ones((N_state ** 2,)),
                         constraint=constraints.positive)

    N_c = config["sizes"]["group"]
    loc_i = pyro.param("loc_individual", torch.zeros((N_c, N_state ** 2,)))
    scale_i = pyro.param("scale_individual", torch.ones((N_c, N_state ** 2,)),
                         constraint=constraints.positive)

    N_c = config["sizes"]["group"]
    with pyro.plate("group", N_c, dim=-1):
        pyro.sample("eps_g", dist.Normal(loc_g, scale_g).to_event(1))

        N_s = config["sizes"]["individual"]
        with pyro.plate("individual", N_s, dim=-2), pyro.poutine.mask(mask=config["individual"]["mask"]):
            pyro.sample("eps_i", dist.Normal(loc_i, scale_i).to_event(1))
