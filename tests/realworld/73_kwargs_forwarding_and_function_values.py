# A step-wise object-count model in the style of attend-infer-repeat: the
# entry takes **kwargs from the training loop and forwards them to its
# helpers, the per-step stop probability is a function passed as a parameter
# default, the activation class is looked up with getattr(nn, name), and a
# shape check uses a chained comparison. The forwarded keywords are unknown,
# so the stop-probability function may be anything: the presence sites may
# break, while the continuous sizes keep their facts.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist


def constant_stop(step):
    return 0.5


class Counter(nn.Module):
    def __init__(self, steps=3, activation="Tanh"):
        super().__init__()
        self.steps = steps
        act = getattr(nn, activation)
        self.size_net = nn.Sequential(nn.Linear(1, 4), act(), nn.Linear(4, 1))

    def step(self, t, present, stop_p=constant_stop):
        present = pyro.sample(f"present_{t}", dist.Bernoulli(stop_p(t) * present))
        size = pyro.sample(f"size_{t}", dist.LogNormal(0.0, 1.0))
        return present, size

    def prior(self, n, **kwargs):
        present = torch.ones(n)
        total = torch.zeros(n)
        for t in range(self.steps):
            present, size = self.step(t, present, **kwargs)
            total = total + present * size
        return total

    def model(self, areas, **kwargs):
        assert 0 < areas.shape[0] <= 1000, "batch size"
        with pyro.plate("images", areas.shape[0]):
            total = self.prior(areas.shape[0], **kwargs)
            pyro.sample("area", dist.Normal(total, 0.1), obs=areas)

    def guide(self, areas, **kwargs):
        with pyro.plate("images", areas.shape[0]):
            present = torch.ones(areas.shape[0])
            for t in range(self.steps):
                p = pyro.param(f"p_{t}", torch.tensor(0.5))
                present = pyro.sample(f"present_{t}", dist.Bernoulli(p * present))
                pyro.sample(f"size_{t}", dist.LogNormal(pyro.param(f"m_{t}", torch.tensor(0.0)), 0.5))
