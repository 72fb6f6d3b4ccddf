# A data argument in its data set's shape of which the program reads the first rows (air's minibatch), and its last
# row when `last` is 1 (test_large_data.py).
import torch
import pyro
import pyro.distributions as dist


def model(data, last):
    x = torch.reshape(data, [8000000, 4])
    loc = pyro.param("loc", torch.tensor(0.0))
    pyro.sample("head", dist.Normal(loc, 1.), obs=x[0:2])
    if last == 1:
        pyro.sample("tail", dist.Normal(loc, 1.), obs=x[-1])


def guide(data, last):
    pass
