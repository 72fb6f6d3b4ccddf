"""A batch of HMMs whose transition logits are a latent per sequence (sampled by the guide in the plate), with the
hidden states enumerated in the model: selecting the row of the batched transition matrices needs Pyro's
Vindex, which broadcasts the enumerated state with the plate's batch dim (plain trans[..., y, :] does not). The
emission means are shifted per sequence and read through vindex(...), the function form. svic's summed-out ELBO
against Pyro 1.8.6's TraceEnum_ELBO(max_plate_nesting=1), and its gradient against finite differences
(tests/estimator/test_enum.py)."""
import torch
import pyro
import pyro.distributions as dist
from pyro.ops.indexing import Vindex, vindex


def model(obs, mask):
    N, T = obs.shape
    init = pyro.param("init_logits", torch.tensor([0.2, -0.1, 0.3]))
    trans_loc = pyro.param("trans_loc", torch.tensor([[1.0, 0.0, -1.0], [0.0, 0.5, 0.0], [-0.5, 0.2, 0.8]]))
    locs = pyro.param("locs", torch.tensor([-2.0, 0.0, 2.0]))
    with pyro.plate("seqs", N, dim=-1):
        trans = pyro.sample("trans", dist.Normal(trans_loc, 1.0).to_event(2))
        shift = pyro.sample("shift", dist.Normal(0.0, 1.0))
        seq_locs = torch.unsqueeze(shift, -1) + locs
        y = pyro.sample("y_0", dist.Categorical(logits=init), infer={"enumerate": "parallel"})
        pyro.sample("x_0", dist.Normal(vindex(seq_locs, (Ellipsis, y)), 1.0), obs=obs[:, 0])
        for t in pyro.markov(range(1, T)):
            with pyro.poutine.mask(mask=mask[:, t]):
                y = pyro.sample("y_{}".format(t), dist.Categorical(logits=Vindex(trans)[..., y, :]),
                                infer={"enumerate": "parallel"})
                pyro.sample("x_{}".format(t), dist.Normal(Vindex(seq_locs)[..., y], 1.0), obs=obs[:, t])


def guide(obs, mask):
    N, T = obs.shape
    q_trans = pyro.param("q_trans", torch.tensor([[0.5, 0.1, -0.2], [0.3, 0.2, 0.0], [-0.4, 0.1, 0.6]]))
    q_shift = pyro.param("q_shift", torch.tensor([0.1, -0.2, 0.3]))
    with pyro.plate("seqs", N, dim=-1):
        pyro.sample("trans", dist.Normal(q_trans + torch.zeros((N, 3, 3)), 0.4).to_event(2))
        pyro.sample("shift", dist.Normal(q_shift, 0.3))


def main(data):
    """How Pyro trains the pair: enumerated sites are summed out by TraceEnum_ELBO."""
    elbo = pyro.infer.TraceEnum_ELBO(max_plate_nesting=1)
    svi = pyro.infer.SVI(model, guide, pyro.optim.Adam({"lr": 0.01}), elbo)
    for _ in range(100):
        svi.step(**data)
