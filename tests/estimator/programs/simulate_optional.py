"""svic simulate --shape (tests/estimator/test_simulate.py): ys is None unless given (as cvae's and ssvae's labels);
--shape ys=... makes it data to draw, so `ys is not None` holds and the observation draws it."""
import torch
import pyro
import pyro.distributions as dist


def main(ys=None):
    p = pyro.sample("p", dist.Beta(2., 2.))
    if ys is not None:
        with pyro.plate("rows", ys.shape[0]):
            pyro.sample("ys", dist.Bernoulli(p * torch.ones(ys.shape[0], ys.shape[1])).to_event(1), obs=ys)
