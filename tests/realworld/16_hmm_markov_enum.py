# A discrete HMM whose hidden states are enumerated under pyro.markov; the
# guide only learns the transition and emission parameters.
import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, TraceEnum_ELBO
from torch.distributions import constraints

NUM_STATES = 2


def model(observations):
    trans = pyro.param("trans", 0.8 * torch.eye(NUM_STATES) + 0.1, constraint=constraints.simplex)
    locs = pyro.param("locs", torch.tensor([-1.0, 1.0]))
    scale = pyro.param("scale", torch.tensor(1.0), constraint=constraints.positive)
    state = 0
    for t in pyro.markov(range(len(observations))):
        state = pyro.sample("state_{}".format(t), dist.Categorical(trans[state]),
                            infer={"enumerate": "parallel"})
        pyro.sample("obs_{}".format(t), dist.Normal(locs[state], scale), obs=observations[t])


def guide(observations):
    pass


def train(observations, steps=100):
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.05}), TraceEnum_ELBO(max_plate_nesting=0))
    for _ in range(steps):
        svi.step(observations)
