"""Tensor.new_tensor and Tensor.new_full take the receiver's dtype, not its values (test_pyro_elbo.py replays one
sample in Pyro): from the float x they make floats, from the integer k integers that can index. The guide's Delta
over a is replayed as the model's value of a."""
import torch
import pyro
import pyro.distributions as dist


def model(x, k, y):
    a = pyro.sample("a", dist.Uniform(x.new_tensor(0.0), x.new_tensor(1.0)))
    b = pyro.sample("b", dist.Normal(x.new_full((3,), 2.0), x.new_tensor([1.0, 2.0, 3.0])).to_event(1))
    ids = k.new_tensor([0, 2, 1])
    shift = k.new_full((3,), 1) + x.new_tensor([0, 1, 2])
    with pyro.plate("n", 3):
        pyro.sample("y", dist.Normal(a * b[ids] + x + shift, 1.0), obs=y)


def guide(x, k, y):
    q = pyro.param("q", torch.tensor(0.5), constraint=dist.constraints.unit_interval)
    pyro.sample("a", dist.Delta(q))
    loc = pyro.param("loc", x.new_zeros(3))
    pyro.sample("b", dist.Normal(loc, 1.0).to_event(1))
