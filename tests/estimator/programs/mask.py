# poutine.mask around observe sites (a tensor mask and a constant False) and a factor
# (test_mask.py: the masked-out terms count as 0, even where their log-density is -inf).
import torch
import pyro
import pyro.distributions as dist
from pyro import poutine


def model(x, keep):
    loc = pyro.param("loc", torch.tensor(0.5))
    with pyro.plate("data", 5):
        with poutine.mask(mask=keep > 0):
            pyro.sample("x", dist.Normal(loc, 1.0), obs=x)
            pyro.sample("e", dist.Exponential(1.0), obs=x)  # -inf at the negative, masked-out x
    with poutine.mask(mask=False):
        pyro.factor("never", loc * 100.0)


def guide(x, keep):
    pass
