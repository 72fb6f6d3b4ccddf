# Logistic regression with missing labels: the likelihood is masked with
# dist.Bernoulli(...).mask(observed), the link function is a @staticmethod of
# a helper class called through the class and through an object, the model
# trained is functools.partial(base_model, prior_scale=2.0), and the guide
# goes through a helper that forwards *args/**kwargs to the one that works.
import functools

import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints


class Link:
    @staticmethod
    def logistic(x, w, bias=0.0):
        return torch.sigmoid(x @ w + bias)


def base_model(x, y, observed, prior_scale=1.0):
    w = pyro.sample("w", dist.Normal(torch.zeros(3), prior_scale).to_event(1))
    b = pyro.sample("b", dist.Normal(0.0, prior_scale))
    p = Link.logistic(x, w, bias=b)
    link = Link()
    q = link.logistic(x, w)
    pyro.deterministic("p_no_bias", q)
    with pyro.plate("data", x.shape[0]):
        pyro.sample("y", dist.Bernoulli(p).mask(observed), obs=y)


model = functools.partial(base_model, prior_scale=2.0)


def _guide(x, y, observed, prior_scale=1.0):
    loc = pyro.param("loc", torch.zeros(3))
    scale = pyro.param("scale", torch.ones(3), constraint=constraints.positive)
    pyro.sample("w", dist.Normal(loc, scale).to_event(1))
    pyro.sample("b", dist.Normal(pyro.param("b_loc", torch.tensor(0.0)), 1.0))


def _forward(*args, **kwargs):
    return _guide(*args, **kwargs)


def guide(x, y, observed):
    return _forward(x, y, observed, prior_scale=2.0)
