"""ProdLDA (neural topic model), model side.  svic benchmark `prodlda`;
entry `model(docs)`.

Documents are bag-of-words count vectors ([B, 12722]); 20 topics.
logtheta ~ Normal(0, 1) ([B, 20]) is a logistic-normal replacement of the
Dirichlet prior; the decoder softmax(BatchNorm(beta(dropout(softmax(logtheta)))))
gives the word probabilities and each document is observed under
Multinomial(max document length, probs).

Expected smoothness (oracle): logtheta, decoder_beta diff.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist

vocab_size = 12722
num_topics = 20

# Decoder (only decoder_beta has parameters: the batch norm is not affine).
decoder_beta = nn.Linear(num_topics, vocab_size, bias=False)
decoder_bn = nn.BatchNorm1d(vocab_size, affine=False)
decoder_drop = nn.Dropout(0.2)


def model(docs):
    pyro.module("decoder_beta", decoder_beta)
    with pyro.plate("documents", docs.shape[0]):
        logtheta_loc = torch.Tensor.new_zeros(docs, (docs.shape[0], num_topics))
        logtheta_scale = torch.Tensor.new_ones(docs, (docs.shape[0], num_topics))
        logtheta = pyro.sample("logtheta",
                               dist.Normal(logtheta_loc, logtheta_scale).to_event(1))
        theta = F.softmax(logtheta, -1)

        # Decoder: word probabilities of every document.
        inputs = decoder_drop(theta)
        count_param = F.softmax(decoder_bn(decoder_beta(inputs)), dim=1)

        # Multinomial needs one total count; log_prob does not depend on it.
        total_count = int(torch.max(torch.sum(docs, -1)))
        pyro.sample("obs", dist.Multinomial(total_count, count_param), obs=docs)
