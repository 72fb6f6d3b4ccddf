# nn.BatchNorm1d (training mode, affine and not) and nn.Dropout on params, scored by factors
# (test_norm_dropout.py checks value and gradient against Python and finite differences).
import torch
import torch.nn as nn
import pyro

bn = nn.BatchNorm1d(3)
bn_plain = nn.BatchNorm1d(3, affine=False, eps=0.01)
drop = nn.Dropout(0.25)


def model_bn():
    pyro.module("bn", bn)
    x = pyro.param("x", torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.9, 1.1], [2.2, -0.4, 0.0]]))
    c = torch.tensor([[1.0, -2.0, 0.5], [0.3, 1.1, -0.8], [2.0, 0.7, 1.3], [-1.2, 0.4, 0.9]])
    y = bn(x)
    z = bn_plain(x * x)
    pyro.factor("f", (y * y * y * c).sum() + (z * c).sum())


def model_drop():
    w = pyro.param("w", torch.ones(2000))
    pyro.factor("f", (drop(w) * 3.0).sum())


def guide():
    pass
