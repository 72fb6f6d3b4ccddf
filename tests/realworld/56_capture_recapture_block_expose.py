# A capture-recapture model in the style of Pyro's examples: each animal's
# alive state is a Bernoulli chain over the capture occasions, enumerated by
# @config_enumerate, and the MAP guide is an AutoDelta over the survival and
# detection rates only, by poutine.block(expose=[...]). The chain's site
# names are f-strings ("alive_{t}"), which no exposed name can spell, so they
# are certainly hidden from the guide.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer import SVI, TraceEnum_ELBO, config_enumerate
from pyro.infer.autoguide import AutoDelta
from pyro.optim import Adam


@config_enumerate
def model(captures):
    num_occasions, num_animals = captures.shape
    survival = pyro.sample("survival", dist.Beta(2.0, 2.0))
    detection = pyro.sample("detection", dist.Beta(2.0, 2.0))
    with pyro.plate("animals", num_animals, dim=-1):
        alive = torch.ones(num_animals)
        for t in pyro.markov(range(1, num_occasions)):
            alive = pyro.sample(f"alive_{t}", dist.Bernoulli(survival * alive))
            pyro.sample(f"seen_{t}", dist.Bernoulli(detection * alive), obs=captures[t])


guide = AutoDelta(poutine.block(model, expose=["survival", "detection"]))


def main(args):
    captures = (torch.rand(args.occasions, args.animals) < 0.4).float()
    captures[0] = 1.0
    svi = SVI(model, guide, Adam({"lr": 0.02}), TraceEnum_ELBO(max_plate_nesting=1))
    for step in range(args.steps):
        svi.step(captures)
    print({name: value.item() for name, value in pyro.get_param_store().items()})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--occasions", type=int, default=6)
    parser.add_argument("--animals", type=int, default=50)
    parser.add_argument("--steps", type=int, default=400)
    main(parser.parse_args())
