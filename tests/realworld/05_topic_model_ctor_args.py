# Model and guide as methods of a module whose constructor takes sizes; the
# object is built in main() with literal arguments, which svic uses.
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist


class TopicModel(nn.Module):
    def __init__(self, vocab_size, num_topics, hidden=32):
        super().__init__()
        self.vocab_size = vocab_size
        self.num_topics = num_topics
        self.fc = nn.Linear(vocab_size, hidden)
        self.fc_loc = nn.Linear(hidden, num_topics)
        self.fc_scale = nn.Linear(hidden, num_topics)
        self.beta = nn.Linear(num_topics, vocab_size, bias=False)

    def encode(self, docs):
        h = F.softplus(self.fc(docs))
        return self.fc_loc(h), F.softplus(self.fc_scale(h)) + 1e-3

    def model(self, docs):
        pyro.module("beta", self.beta)
        with pyro.plate("documents", docs.shape[0]):
            theta = pyro.sample(
                "theta", dist.Normal(torch.zeros(self.num_topics), 1.).to_event(1))
            logits = F.log_softmax(self.beta(F.softmax(theta, -1)), -1)
            pyro.sample("doc", dist.Multinomial(1000, logits=logits), obs=docs)

    def guide(self, docs):
        pyro.module("fc", self.fc)
        pyro.module("fc_loc", self.fc_loc)
        pyro.module("fc_scale", self.fc_scale)
        with pyro.plate("documents", docs.shape[0]):
            loc, scale = self.encode(docs)
            pyro.sample("theta", dist.Normal(loc, scale).to_event(1))


def main(args):
    tm = TopicModel(vocab_size=500, num_topics=8)
    print(tm, args)


if __name__ == "__main__":
    main(argparse.ArgumentParser().parse_args())
