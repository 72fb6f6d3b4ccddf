"""Two OneHotCategorical sites enumerated in the model and summed out (TraceEnum_ELBO): per data point a component
z, one-hot, whose row of the transition logits (selected by a product with z) gives a second component w; both select emission means
by a product with the one-hot value. The guide has one continuous latent, the emission scale. svic's summed-out ELBO
against Pyro 1.8.6's TraceEnum_ELBO(max_plate_nesting=1), and its gradient against finite differences
(tests/estimator/test_enum.py)."""
import torch
import pyro
import pyro.distributions as dist


def model(obs):
    N = obs.shape[0]
    weights = pyro.param("weight_logits", torch.tensor([0.2, -0.3, 0.1]))
    trans = pyro.param("trans_logits", torch.tensor([[1.0, 0.0, -1.0], [0.0, 0.5, 0.0], [-0.5, 0.2, 0.8]]))
    locs = pyro.param("locs", torch.tensor([-2.0, 0.0, 2.0]))
    scale = pyro.sample("scale", dist.LogNormal(0.0, 1.0))
    with pyro.plate("data", N, dim=-1):
        z = pyro.sample("z", dist.OneHotCategorical(logits=weights), infer={"enumerate": "parallel"})
        pyro.sample("x", dist.Normal(torch.sum(z * locs, -1), scale), obs=obs[:, 0])
        row = torch.sum(torch.unsqueeze(z, -1) * trans, -2)
        w = pyro.sample("w", dist.OneHotCategorical(logits=row), infer={"enumerate": "parallel"})
        pyro.sample("v", dist.Normal(torch.sum(w * locs, -1), scale), obs=obs[:, 1])


def guide(obs):
    q_loc = pyro.param("q_loc", torch.tensor(0.1))
    pyro.sample("scale", dist.LogNormal(q_loc, 0.3))


def main(data):
    """How Pyro trains the pair: enumerated sites are summed out by TraceEnum_ELBO."""
    elbo = pyro.infer.TraceEnum_ELBO(max_plate_nesting=1)
    svi = pyro.infer.SVI(model, guide, pyro.optim.Adam({"lr": 0.01}), elbo)
    for _ in range(100):
        svi.step(**data)
