# OneHotCategorical observed (probs and logits forms) and drawn (svic simulate).
import torch
import pyro
import pyro.distributions as dist


def model_logits(y):
    logits = pyro.param("logits", torch.tensor([0.5, -1.0, 2.0]))
    with pyro.plate("data", 4):
        pyro.sample("y", dist.OneHotCategorical(logits=logits), obs=y)


def model_probs(y):
    w = pyro.param("w", torch.tensor([1.0, 3.0, 4.0]))
    with pyro.plate("data", 4):
        pyro.sample("y", dist.OneHotCategorical(w), obs=y)


def guide(y):
    pass
