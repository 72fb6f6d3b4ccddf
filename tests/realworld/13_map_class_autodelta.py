# A MAP estimate: the model is a method of a small estimator class whose fit()
# builds an AutoDelta guide from it.
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoDelta


class GammaPoissonRate(nn.Module):
    def __init__(self, prior_shape=2.0, prior_rate=1.0):
        super().__init__()
        self.prior_shape = prior_shape
        self.prior_rate = prior_rate

    def model(self, counts):
        rate = pyro.sample("rate", dist.Gamma(self.prior_shape, self.prior_rate))
        p_zero = pyro.sample("p_zero", dist.Beta(1.0, 9.0))
        with pyro.plate("obs_plate", len(counts)):
            pyro.sample("counts", dist.Poisson(rate * (1 - p_zero)), obs=counts)

    def fit(self, counts, steps=500):
        self.guide = AutoDelta(self.model)
        svi = SVI(self.model, self.guide, pyro.optim.Adam({"lr": 0.05}), Trace_ELBO())
        for _ in range(steps):
            svi.step(counts)
        return self.guide.median(counts)


if __name__ == "__main__":
    est = GammaPoissonRate()
    print(est.fit(torch.tensor([3.0, 0.0, 2.0, 5.0])))
