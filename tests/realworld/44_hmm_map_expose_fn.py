# MAP estimation of an HMM's parameters in the style of Pyro's examples/hmm.py:
# several model variants in one file (chosen with --model-fn), the hidden
# states enumerated, and the guide an AutoDelta over the model with every
# site but the parameters hidden by an expose_fn lambda on the site name.
# The AutoDelta is built from a variable (`model = MODELS[args.model]`), so
# --guide-fn AutoDelta names the construction.
# svic-args: --model-fn model_1 --guide-fn AutoDelta
import argparse
import logging

import torch
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.infer import SVI, TraceEnum_ELBO
from pyro.infer.autoguide import AutoDelta
from pyro.optim import Adam


def model_1(sequences, hidden_dim=4):
    num_sequences, length, data_dim = sequences.shape
    probs_trans = pyro.sample("probs_trans", dist.Dirichlet(0.9 * torch.eye(hidden_dim) + 0.1).to_event(1))
    probs_emit = pyro.sample("probs_emit", dist.Beta(0.5, 0.5).expand([hidden_dim, data_dim]).to_event(2))
    notes = pyro.plate("notes", data_dim, dim=-1)
    for i in pyro.plate("sequences", num_sequences):
        state = 0
        for t in pyro.markov(range(length)):
            state = pyro.sample("state_%d_%d" % (i, t), dist.Categorical(probs_trans[state]),
                                infer={"enumerate": "parallel"})
            with notes:
                pyro.sample("note_%d_%d" % (i, t), dist.Bernoulli(probs_emit[state]),
                            obs=sequences[i, t])


def model_2(sequences, hidden_dim=4):
    num_sequences, length, data_dim = sequences.shape
    probs_trans = pyro.sample("probs_trans", dist.Dirichlet(0.9 * torch.eye(hidden_dim) + 0.1).to_event(1))
    probs_emit = pyro.sample("probs_emit", dist.Beta(0.5, 0.5).expand([hidden_dim, data_dim]).to_event(2))
    with pyro.plate("sequences", num_sequences, dim=-2):
        state = 0
        for t in pyro.markov(range(length)):
            state = pyro.sample("state_{}".format(t), dist.Categorical(probs_trans[state]),
                                infer={"enumerate": "parallel"})
            with pyro.plate("notes", data_dim, dim=-1):
                pyro.sample("note_{}".format(t), dist.Bernoulli(probs_emit[state]),
                            obs=sequences[:, t])


MODELS = {"1": model_1, "2": model_2}


def main(args):
    sequences = torch.randint(0, 2, (8, 20, 5)).float()
    model = MODELS[args.model]
    guide = AutoDelta(poutine.block(model, expose_fn=lambda msg: msg["name"].startswith("probs_")))
    svi = SVI(model, guide, Adam({"lr": 0.05}), TraceEnum_ELBO(max_plate_nesting=2))
    for step in range(args.num_steps):
        loss = svi.step(sequences)
        logging.info("step %d loss %.3f", step, loss)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("-m", "--model", default="1")
    parser.add_argument("-n", "--num-steps", type=int, default=50)
    main(parser.parse_args())
