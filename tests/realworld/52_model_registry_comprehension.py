# svic-args: --model-fn main
# A file of several model variants in the style of Pyro's examples/hmm.py: the
# variants are collected into a registry by a dict comprehension over
# globals(), and main() picks one by a command-line name. No function is named
# model and main samples nothing itself, so without --model-fn svic lists the
# two variants as the candidates; main is asked for here. svic cannot see
# which variant the registry returns, so main's call of it is opaque and may
# sample anything: analysed, nothing claimed. --model-fn model_gaussian would
# analyse one variant.
import argparse

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal
from pyro.optim import ClippedAdam


def model_gaussian(data, num_groups=3):
    with pyro.plate("groups", num_groups):
        mu = pyro.sample("mu", dist.Normal(0.0, 10.0))
    with pyro.plate("data", data.shape[0]):
        pyro.sample("obs", dist.Normal(mu.mean(), 1.0), obs=data)


def model_student(data, num_groups=3):
    nu = pyro.sample("nu", dist.Gamma(2.0, 0.1))
    with pyro.plate("groups", num_groups):
        mu = pyro.sample("mu", dist.Normal(0.0, 10.0))
    with pyro.plate("data", data.shape[0]):
        pyro.sample("obs", dist.StudentT(nu, mu.mean(), 1.0), obs=data)


models = {name[len("model_"):]: model for name, model in globals().items() if name.startswith("model_")}


def main(args):
    data = torch.randn(100) + 3.0
    model = models[args.model]
    guide = AutoNormal(model)
    svi = SVI(model, guide, ClippedAdam({"lr": args.learning_rate}), Trace_ELBO())
    losses = [svi.step(data) for _ in range(args.num_steps)]
    print("final loss {:.3f}".format(sum(losses[-10:]) / 10))
    print({k: v.detach() for k, v in pyro.get_param_store().items()})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="model registry")
    parser.add_argument("-m", "--model", default="gaussian", choices=sorted(models))
    parser.add_argument("-n", "--num-steps", default=200, type=int)
    parser.add_argument("-lr", "--learning-rate", default=0.05, type=float)
    main(parser.parse_args())
