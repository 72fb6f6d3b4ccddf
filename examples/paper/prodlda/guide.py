"""ProdLDA (neural topic model), guide side.  svic benchmark `prodlda`;
entry `guide(docs)`.

Encoder h = dropout(softplus(fc2(softplus(fc1(docs))))); logtheta ~
Normal(BN(fcmu(h)), exp(0.5 * BN(fclv(h)))).

Expected smoothness (oracle): logtheta, encoder_fc1, encoder_fc2,
encoder_fcmu, encoder_fclv diff (softplus, not relu).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist

vocab_size = 12722
num_topics = 20
hidden = 100

encoder_drop = nn.Dropout(0.2)
encoder_fc1 = nn.Linear(vocab_size, hidden)
encoder_fc2 = nn.Linear(hidden, hidden)
encoder_fcmu = nn.Linear(hidden, num_topics)
encoder_fclv = nn.Linear(hidden, num_topics)
encoder_bnmu = nn.BatchNorm1d(num_topics, affine=False)
encoder_bnlv = nn.BatchNorm1d(num_topics, affine=False)


def guide(docs):
    pyro.module("encoder_fc1", encoder_fc1)
    pyro.module("encoder_fc2", encoder_fc2)
    pyro.module("encoder_fcmu", encoder_fcmu)
    pyro.module("encoder_fclv", encoder_fclv)
    with pyro.plate("documents", docs.shape[0]):
        h = F.softplus(encoder_fc1(docs))
        h = F.softplus(encoder_fc2(h))
        h = encoder_drop(h)
        logtheta_loc = encoder_bnmu(encoder_fcmu(h))
        logtheta_logvar = encoder_bnlv(encoder_fclv(h))
        logtheta_scale = torch.exp(0.5 * logtheta_logvar)
        logtheta = pyro.sample("logtheta",
                               dist.Normal(logtheta_loc, logtheta_scale).to_event(1))
