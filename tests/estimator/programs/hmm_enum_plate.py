"""A batch of HMMs (one per sequence, in a plate) with 3 hidden states enumerated in the model, poutine.mask on
padded steps, a Bernoulli-enumerated regime per sequence and a global latent in the guide: svic's summed-out ELBO
against Pyro 1.8.6's TraceEnum_ELBO(max_plate_nesting=1) (tests/estimator/test_enum.py)."""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


def model(obs, mask):
    N, T = obs.shape
    init = pyro.param("init_probs", torch.tensor([0.5, 0.3, 0.2]), constraint=constraints.simplex)
    trans = pyro.param("trans_logits", torch.tensor([[1.0, 0.0, -1.0], [0.0, 0.5, 0.0], [-0.5, 0.2, 0.8]]))
    locs = pyro.param("locs", torch.tensor([-2.0, 0.0, 2.0]))
    shift = pyro.sample("shift", dist.Normal(0.0, 1.0))
    with pyro.plate("seqs", N, dim=-1):
        regime = pyro.sample("regime", dist.Bernoulli(0.3), infer={"enumerate": "parallel"})
        y = pyro.sample("y_0", dist.Categorical(init), infer={"enumerate": "parallel"})
        pyro.sample("x_0", dist.Normal(locs[y] + shift, 1.0 + regime), obs=obs[:, 0])
        for t in pyro.markov(range(1, T)):
            with pyro.poutine.mask(mask=mask[:, t]):
                y = pyro.sample("y_{}".format(t), dist.Categorical(logits=trans[y]),
                                infer={"enumerate": "parallel"})
                pyro.sample("x_{}".format(t), dist.Normal(locs[y] + shift, 1.0 + regime), obs=obs[:, t])


def guide(obs, mask):
    loc = pyro.param("shift_loc", torch.tensor(0.2))
    pyro.sample("shift", dist.Normal(loc, 0.3))


def main(data):
    """How Pyro trains the pair: enumerated sites are summed out by TraceEnum_ELBO."""
    elbo = pyro.infer.TraceEnum_ELBO(max_plate_nesting=1)
    svi = pyro.infer.SVI(model, guide, pyro.optim.Adam({"lr": 0.01}), elbo)
    for _ in range(100):
        svi.step(**data)
