# Conditional image completion: a pretrained point predictor is handed to the
# model's constructor from the training script and kept as a field; the model
# calls it under torch.no_grad() to get its initial guess. svic does not know
# that object (the constructor argument comes from main()), so the call is
# opaque: it may break every property in its arguments and may sample.
import argparse

import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam


class Prior(nn.Module):
    def __init__(self, pixels, code):
        super().__init__()
        self.body = nn.Linear(2 * pixels, 16)
        self.loc = nn.Linear(16, code)
        self.log_scale = nn.Linear(16, code)

    def forward(self, image, guess):
        h = torch.tanh(self.body(torch.cat([image, guess], dim=-1)))
        return self.loc(h), torch.exp(self.log_scale(h))


class Completion(nn.Module):
    def __init__(self, pretrained, pixels=12, code=3):
        super().__init__()
        self.pretrained = pretrained
        self.prior = Prior(pixels, code)
        self.posterior = Prior(pixels, code)
        self.render = nn.Linear(code, pixels)

    def model(self, image, target):
        pyro.module("completion", self)
        with pyro.plate("images", image.shape[0]):
            with torch.no_grad():
                guess = self.pretrained(image)
            loc, scale = self.prior(image, guess)
            code = pyro.sample("code", dist.Normal(loc, scale).to_event(1))
            probs = torch.sigmoid(self.render(code))
            pyro.sample("target", dist.Bernoulli(probs).to_event(1), obs=target)

    def guide(self, image, target):
        with pyro.plate("images", image.shape[0]):
            loc, scale = self.posterior(image, target)
            pyro.sample("code", dist.Normal(loc, scale).to_event(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", default="baseline.pt")
    args = parser.parse_args()
    pretrained = torch.load(args.checkpoint)
    net = Completion(pretrained)
    svi = SVI(net.model, net.guide, Adam({"lr": 1e-3}), Trace_ELBO())
    image = torch.rand(5, 12)
    svi.step(image, (image > 0.5).float())


if __name__ == "__main__":
    main()
