# A two-layer gamma factor model for count images in the spirit of deep
# exponential families: the model and a written mean-field guide are methods
# of a plain class holding the layer sizes. The guide's params are created by
# helpers called with a literal layer name ("%s"-formatted site names), kept
# unconstrained and mapped through softplus, and clamped after every step.
import argparse

import numpy as np
import torch
from torch.nn.functional import softplus
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, TraceMeanField_ELBO
from pyro.optim import ClippedAdam


class GammaFactors:
    def __init__(self, num_pixels=64, top=8, bottom=4):
        self.num_pixels = num_pixels
        self.top = top
        self.bottom = bottom
        self.shape_prior = torch.tensor(0.3)
        self.rate_prior = torch.tensor(0.3)

    def model(self, images):
        with pyro.plate("w_top_plate", self.top * self.bottom):
            w_top = pyro.sample("w_top", dist.Gamma(self.shape_prior, self.rate_prior))
        with pyro.plate("w_bottom_plate", self.bottom * self.num_pixels):
            w_bottom = pyro.sample("w_bottom", dist.Gamma(self.shape_prior, self.rate_prior))
        with pyro.plate("images", images.shape[0]):
            z_top = pyro.sample("z_top", dist.Gamma(self.shape_prior, self.rate_prior)
                                .expand([self.top]).to_event(1))
            mean_bottom = z_top @ w_top.reshape(self.top, self.bottom)
            z_bottom = pyro.sample("z_bottom", dist.Gamma(self.shape_prior, self.shape_prior / mean_bottom)
                                   .to_event(1))
            rate = z_bottom @ w_bottom.reshape(self.bottom, self.num_pixels)
            pyro.sample("pixels", dist.Poisson(rate).to_event(1), obs=images)

    def guide(self, images):
        def weights(layer, size):
            raw_shape = pyro.param("w_shape_%s" % layer, lambda: torch.full((size,), 0.5))
            raw_mean = pyro.param("w_mean_%s" % layer, lambda: torch.zeros(size))
            shape, mean = softplus(raw_shape), softplus(raw_mean)
            pyro.sample("w_%s" % layer, dist.Gamma(shape, shape / mean))

        def codes(layer, width):
            raw_shape = pyro.param("z_shape_%s" % layer, lambda: torch.full((images.shape[0], width), 0.5))
            raw_mean = pyro.param("z_mean_%s" % layer, lambda: torch.zeros(images.shape[0], width))
            shape, mean = softplus(raw_shape), softplus(raw_mean)
            pyro.sample("z_%s" % layer, dist.Gamma(shape, shape / mean).to_event(1))

        with pyro.plate("w_top_plate", self.top * self.bottom):
            weights("top", self.top * self.bottom)
        with pyro.plate("w_bottom_plate", self.bottom * self.num_pixels):
            weights("bottom", self.bottom * self.num_pixels)
        with pyro.plate("images", images.shape[0]):
            codes("top", self.top)
            codes("bottom", self.bottom)

    def clamp(self):
        for kind in ("shape", "mean"):
            for layer in ("w_top", "w_bottom", "z_top", "z_bottom"):
                name = "{}_{}_{}".format(layer[0], kind, layer[2:])
                pyro.param(name).data.clamp_(min=-5.0)


def main(args):
    images = torch.tensor(np.random.poisson(2.0, size=(32, 64)), dtype=torch.float)
    factors = GammaFactors()
    svi = SVI(factors.model, factors.guide, ClippedAdam({"lr": 0.05}), TraceMeanField_ELBO())
    for step in range(args.num_steps):
        svi.step(images)
        factors.clamp()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--num-steps", type=int, default=1000)
    main(parser.parse_args())
