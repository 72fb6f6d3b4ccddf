# Probabilistic matrix factorisation trained on minibatches from a torch
# DataLoader: user and item factors are global; ratings come in batches whose
# indices are passed to the model.
import torch
import pyro
import pyro.distributions as dist
from torch.utils.data import DataLoader, TensorDataset
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal

NUM_USERS, NUM_ITEMS, RANK = 30, 40, 4


def model(users, items, ratings=None):
    user_f = pyro.sample("user_factors",
                         dist.Normal(0.0, 1.0).expand([NUM_USERS, RANK]).to_event(2))
    item_f = pyro.sample("item_factors",
                         dist.Normal(0.0, 1.0).expand([NUM_ITEMS, RANK]).to_event(2))
    noise = pyro.sample("noise", dist.LogNormal(-1.0, 0.5))
    pred = (user_f[users] * item_f[items]).sum(-1)
    with pyro.plate("ratings", len(users)):
        pyro.sample("rating", dist.Normal(pred, noise), obs=ratings)


def train(dataset, epochs=5):
    loader = DataLoader(dataset, batch_size=64, shuffle=True)
    guide = AutoNormal(model)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.01}), Trace_ELBO())
    for _ in range(epochs):
        for users, items, ratings in loader:
            svi.step(users, items, ratings)


if __name__ == "__main__":
    n = 500
    data = TensorDataset(torch.randint(0, NUM_USERS, (n,)), torch.randint(0, NUM_ITEMS, (n,)),
                         torch.randn(n))
    train(data)
