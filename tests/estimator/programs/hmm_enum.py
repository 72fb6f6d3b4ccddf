"""A 2-state HMM of 3 steps whose hidden states are enumerated in the model and summed out (TraceEnum_ELBO);
the guide has one continuous latent, the emission scale. tests/estimator/test_enum.py checks the summed-out
log-likelihood against brute force over the 8 paths, and its gradient against finite differences."""
import torch
import pyro
import pyro.distributions as dist


def model(obs):
    init = pyro.param("init_logits", torch.tensor([0.3, -0.2]))
    trans = pyro.param("trans_logits", torch.tensor([[0.5, -0.5], [-1.0, 1.0]]))
    locs = pyro.param("locs", torch.tensor([-1.0, 1.0]))
    scale = pyro.sample("scale", dist.LogNormal(0.0, 1.0))
    y = pyro.sample("y_0", dist.Categorical(logits=init), infer={"enumerate": "parallel"})
    pyro.sample("x_0", dist.Normal(locs[y], scale), obs=obs[0])
    for t in pyro.markov(range(1, 3)):
        y = pyro.sample("y_{}".format(t), dist.Categorical(logits=trans[y]), infer={"enumerate": "parallel"})
        pyro.sample("x_{}".format(t), dist.Normal(locs[y], scale), obs=obs[t])


def guide(obs):
    q_loc = pyro.param("q_loc", torch.tensor(0.1))
    pyro.sample("scale", dist.LogNormal(q_loc, 0.5))


def main(data):
    """How Pyro trains the pair: enumerated sites are summed out by TraceEnum_ELBO."""
    elbo = pyro.infer.TraceEnum_ELBO(max_plate_nesting=0)
    svi = pyro.infer.SVI(model, guide, pyro.optim.Adam({"lr": 0.01}), elbo)
    for _ in range(100):
        svi.step(**data)
