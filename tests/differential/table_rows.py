#!/usr/bin/env python3
"""Differential check of the operation and distribution tables against PyTorch 1.13 / Pyro 1.8.6 (issue 8).

Every row of frontend/ir/include/svic/ir/Operations.def and Distributions.def is a belief about torch. This
oracle checks the beliefs where svic acts on them, end to end: for each case below (a row, with the optional
arguments that change its behaviour), it writes a one-latent program

    z = pyro.sample("z", dist.Normal(0., 1.))
    x = <z mapped into the slot's domain>       # z, exp(z), sigmoid(z), ...
    y = <the row called with x in one slot>
    pyro.sample("obs", dist.Normal(<y>, 1.), obs=torch.tensor(0.3))     # or the row's own site

asks `svic analyze` whether the model's density is continuous / locally Lipschitz / differentiable in z, and
probes the density that real Pyro computes (its trace's log_prob_sum, validation on, float64) at random points
and at the case's special points (where a kink or a jump would be): a jump where svic claims "cont", a slope
that grows without bound where it claims "lips", or one-sided derivatives that disagree where it claims
"diff" is a contradiction. A run that raises or gives a non-finite density next to one that does not is a
jump. Besides, each distribution row's Reparam (has_rsample), Discrete (support.is_discrete) and EventRank,
and each unary elementwise operation's Range on sampled arguments, are checked against torch directly.

Exit status 1 on any contradiction, or when a table row has no case here (the list must grow with the tables).
Run with the reference Python:  ../shared/reference/pyro-python tests/differential/table_rows.py SVIC ROOT
(ctest: differential.table_rows).
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import warnings

import torch
import torch.nn.functional as F  # noqa: F401  (used by the case expressions)
import pyro
import pyro.distributions as dist
from pyro import poutine

torch.set_default_dtype(torch.float64)

# Maps of the latent z into a slot's domain, as Python source and as the inverse used to place special points.
DOMAINS = {
    "real": ("z", lambda v: v),
    "pos": ("torch.exp(z)", lambda v: math.log(v) if v > 0 else None),
    "gt-1": ("torch.exp(z) - 0.9", lambda v: math.log(v + 0.9) if v > -0.9 else None),
    "unit": ("torch.sigmoid(z)", lambda v: math.log(v / (1 - v)) if 0 < v < 1 else None),
}

# W-weighted sums turn a vector into a scalar whose derivative sees every element.
PRELUDE = """import math
import torch
import torch.nn.functional as F
import pyro
import pyro.distributions as dist

W2 = torch.tensor([0.3, -0.7])
W3 = torch.tensor([0.3, -0.7, 1.1])
W4 = torch.tensor([0.3, -0.7, 1.1, 0.5])


def model():
    z = pyro.sample("z", dist.Normal(0., 1.))
    X = {domain}
    V = torch.stack([X, 2. * X - 1., 0.5 - X])
{body}


def guide():
    pyro.sample("z", dist.Normal(0., 1.))
"""

OBSERVE = '    y = {expr}\n    pyro.sample("obs", dist.Normal(y, 1.), obs=torch.tensor(0.3))'
SITE = '    pyro.sample("obs", {expr}, obs={obs})'

# (row, expression of X (or V = [X, 2X - 1, 0.5 - X]), domain of X, special values of X)
OPS = [
    ("Exp", "torch.exp(X)", "real", [0.]),
    ("Expm1", "torch.expm1(X)", "real", [0.]),
    ("Log", "torch.log(X)", "pos", [1.]),
    ("Log", "torch.log(X)", "real", [0.5]),
    ("Log1p", "torch.log1p(X)", "gt-1", [0.]),
    ("Sqrt", "torch.sqrt(X)", "pos", [1.]),
    ("Sqrt", "torch.sqrt(X)", "real", [0., 1.]),
    ("Rsqrt", "torch.rsqrt(X)", "pos", [1.]),
    ("Pow", "torch.pow(X, 2.)", "real", [0.]),
    ("Pow", "torch.pow(X, 3)", "real", [0.]),
    ("Pow", "torch.pow(X, 0.5)", "pos", [1.]),
    ("Pow", "torch.pow(X, 0.5)", "real", [0., 1.]),
    ("Pow", "torch.pow(2., X)", "real", [0.]),
    ("Pow", "torch.pow(X, X)", "pos", [1.]),
    ("Sigmoid", "torch.sigmoid(X)", "real", [0.]),
    ("Tanh", "torch.tanh(X)", "real", [0.]),
    ("Sin", "torch.sin(X)", "real", [0.]),
    ("Cos", "torch.cos(X)", "real", [0.]),
    ("Erf", "torch.erf(X)", "real", [0.]),
    ("Lgamma", "torch.lgamma(X)", "pos", [1., 2.]),
    ("Digamma", "torch.digamma(X)", "pos", [1.]),
    ("Abs", "torch.abs(X)", "real", [0.]),
    ("Sign", "torch.sign(X)", "real", [0.]),
    ("Floor", "torch.floor(X)", "real", [1., 0.]),
    ("Ceil", "torch.ceil(X)", "real", [1., 0.]),
    ("Round", "torch.round(X)", "real", [0.5, -0.5]),
    ("Clamp", "torch.clamp(X, min=-0.5, max=0.5)", "real", [-0.5, 0.5]),
    ("Clamp", "torch.clamp(X, min=0.)", "real", [0.]),
    ("Clamp", "torch.clamp(torch.tensor(0.3), min=X)", "real", [0.3]),
    ("Minimum", "torch.minimum(X, torch.tensor(0.5))", "real", [0.5]),
    ("Maximum", "torch.maximum(torch.tensor(0.5), X)", "real", [0.5]),
    ("Where", "torch.where(torch.tensor(True), X, torch.tensor(2.))", "real", [0.]),
    ("Where", "torch.where(X > 0, X, -X)", "real", [0.]),
    ("Where", "torch.where(X > 0, torch.tensor(1.), torch.tensor(0.))", "real", [0.]),
    ("Relu", "torch.relu(X)", "real", [0.]),
    ("FRelu", "F.relu(X)", "real", [0.]),
    ("FSoftplus", "F.softplus(X)", "real", [0.]),
    ("FSoftplus", "F.softplus(X, beta=2.)", "real", [0.]),
    ("FSoftplus", "F.softplus(X, beta=1., threshold=1.)", "real", [1.]),
    ("FSoftplus", "F.softplus(torch.tensor(0.4), beta=X)", "pos", [1.]),
    ("FSigmoid", "F.sigmoid(X)", "real", [0.]),
    ("FTanh", "F.tanh(X)", "real", [0.]),
    ("FElu", "F.elu(X)", "real", [0.]),
    ("FElu", "F.elu(X, alpha=0.5)", "real", [0.]),
    ("FLeakyRelu", "F.leaky_relu(X, 0.1)", "real", [0.]),
    ("FSoftmax", "(F.softmax(V, dim=0) * W3).sum()", "real", [0., 1.]),
    ("FLogSoftmax", "(F.log_softmax(V, dim=0) * W3).sum()", "real", [0., 1.]),
    ("Softmax", "(torch.softmax(V, 0) * W3).sum()", "real", [0.]),
    ("FPad", "(F.pad(V, (1, 0), value=0.2) * W4).sum()", "real", [0.]),
    ("Sum", "torch.sum(V * W3)", "real", [0.]),
    ("Mean", "torch.mean(V * W3)", "real", [0.]),
    ("Prod", "torch.prod(V)", "real", [0.]),
    ("Cumsum", "(torch.cumsum(V, 0) * W3).sum()", "real", [0.]),
    ("Cumprod", "(torch.cumprod(V, 0) * W3).sum()", "real", [0.]),
    ("Max", "torch.max(V)", "real", [1., 0.25, 0.5]),
    ("Max", "torch.max(V, 0)[0]", "real", [1., 0.25, 0.5]),
    ("Max", "torch.max(X, torch.tensor(0.5))", "real", [0.5]),
    ("Min", "torch.min(V)", "real", [1., 0.25, 0.5]),
    ("Min", "torch.min(X, torch.tensor(0.5))", "real", [0.5]),
    ("Logsumexp", "torch.logsumexp(V, 0)", "real", [0.]),
    ("Argmax", "torch.argmax(V) * 1.", "real", [1., 0.25, 0.5]),
    ("Norm", "torch.norm(torch.stack([X, 2. * X]))", "real", [0.]),
    ("Norm", "torch.norm(torch.stack([X, 2. * X]), p=1)", "real", [0.]),
    ("Norm", "torch.norm(torch.stack([X, 2. * X]), p=0.5)", "real", [0.]),
    ("Norm", "torch.norm(torch.stack([X, 2. * X]), p=0)", "real", [0.]),
    ("Norm", "torch.norm(torch.stack([X, 2. * X]), p=float('inf'))", "real", [0.]),
    ("Reshape", "(torch.reshape(V, (3, 1)) * W3.reshape(3, 1)).sum()", "real", [0.]),
    ("View", "(V.view(1, 3) * W3).sum()", "real", [0.]),
    ("Expand", "(X.expand(3) * W3).sum()", "real", [0.]),
    ("ExpandAs", "(X.expand_as(W3) * W3).sum()", "real", [0.]),
    ("Unsqueeze", "(torch.unsqueeze(V, 0) * W3).sum()", "real", [0.]),
    ("Squeeze", "(torch.squeeze(V.reshape(1, 3)) * W3).sum()", "real", [0.]),
    ("Transpose", "(torch.transpose(V.reshape(3, 1), 0, 1) * W3).sum()", "real", [0.]),
    ("T", "(torch.t(V.reshape(3, 1)) * W3).sum()", "real", [0.]),
    ("Flatten", "(torch.flatten(V.reshape(3, 1)) * W3).sum()", "real", [0.]),
    ("Cat", "(torch.cat([V, X.reshape(1)]) * W4).sum()", "real", [0.]),
    ("Stack", "(torch.stack([X, 1. - X]) * W2).sum()", "real", [0.]),
    ("IndexSelect", "(torch.index_select(V, 0, torch.tensor([2, 0])) * W2).sum()", "real", [0.]),
    ("Gather", "(torch.gather(V, 0, torch.tensor([2, 0])) * W2).sum()", "real", [0.]),
    ("ScatterAdd", "(torch.zeros(3).scatter_add_(0, torch.tensor([1, 1, 0]), V) * W3).sum()", "real", [0.]),
    ("Contiguous", "(V.contiguous() * W3).sum()", "real", [0.]),
    ("Clone", "(torch.clone(V) * W3).sum()", "real", [0.]),
    ("Detach", "X.detach()", "real", [0.]),
    ("Long", "(3. * X).long() * 1.", "real", [1. / 3.]),
    ("IntCast", "(3. * X).int() * 1.", "real", [1. / 3.]),
    ("FloatCast", "X.float() * 1.", "real", [0.]),
    ("Double", "X.double()", "real", [0.]),
    ("Bool", "X.bool() * 1.", "real", [0.]),
    ("Item", "X.item()", "real", [0.]),
    ("Tolist", "torch.tensor(V.tolist()).sum()", "real", [0.]),
    ("Tensor", "(torch.tensor([float(X), 1.]) * W2).sum()", "real", [0.]),
    ("FloatTensor", "(torch.FloatTensor([float(X), 1.]) * W2).sum()", "real", [0.]),
    ("AsTensor", "torch.as_tensor(X)", "real", [0.]),
    ("Full", "torch.full((2,), float(X)).sum()", "real", [0.]),
    ("FillInit", "torch.zeros(2).fill_(float(X)).sum()", "real", [0.]),
    ("NewTensor", "(W2.new_tensor([float(X), 1.]) * W2).sum()", "real", [0.]),
    ("NewTensor", "(X.new_tensor([1., 2.]) * W2).sum() + X", "real", [0.]),
    ("NewFull", "W2.new_full((2,), float(X)).sum()", "real", [0.]),
    ("NewFull", "X.new_full((2,), 0.5).sum() + X", "real", [0.]),
    ("Parameter", "torch.nn.Parameter(X).sum()", "real", [0.]),
    ("Matmul", "torch.matmul(torch.stack([X, 1. - X]), torch.tensor([0.3, 0.6]))", "real", [0.]),
    ("Mm", "torch.mm(torch.stack([X, 1. - X]).reshape(1, 2), torch.tensor([[0.3], [0.6]])).sum()", "real", [0.]),
    ("Bmm", "torch.bmm(torch.stack([X, 1. - X]).reshape(1, 1, 2), torch.ones(1, 2, 1)).sum()", "real", [0.]),
    ("Einsum", "torch.einsum('nk,nky->ny', torch.stack([X, X * X]).reshape(1, 2), torch.ones(1, 2, 3)).sum()",
     "real", [0.]),
    ("Einsum", "torch.einsum('i,i', torch.stack([X, 2. * X]), torch.stack([X, 1. - X]))", "real", [0.]),
    ("PyFloat", "float(X)", "real", [0.]),
    ("PyInt", "int(3. * X) * 1.", "real", [1. / 3.]),
    ("PyAbs", "abs(X)", "real", [0.]),
    ("PyMin", "min(X, 0.5)", "real", [0.5]),
    ("PyMax", "max(X, 0.5)", "real", [0.5]),
    ("PyRound", "round(float(X)) * 1.", "real", [0.5, 1.5]),
    ("MathExp", "math.exp(X)", "real", [0.]),
    ("MathLog", "math.log(X)", "pos", [1.]),
    ("MathLog", "math.log(X, 2.)", "pos", [1.]),
    ("MathSqrt", "math.sqrt(X)", "pos", [1.]),
    ("MathFloor", "math.floor(X) * 1.", "real", [1., 0.]),
    ("MathCeil", "math.ceil(X) * 1.", "real", [1., 0.]),
    ("MathLgamma", "math.lgamma(X)", "pos", [1., 2.]),
    # a call svic does not model: opaque, so it must claim nothing in X
    ("OpaqueCall", "torch.special.expit(X)", "real", [0.]),
    ("OpaqueCall", "torch.special.i0(X)", "real", [0.]),
    ("DistLogProb", "dist.Normal(X, 1.).log_prob(torch.tensor(0.5))", "real", [0.5]),
    ("DistLogProb", "dist.Laplace(X, 1.).log_prob(torch.tensor(0.2))", "real", [0.2]),
    ("DistLogProb", "dist.Uniform(0., 1.).log_prob(X)", "unit", [0.5]),
    ("DistLogProb", "dist.Uniform(0., 1.).log_prob(X)", "real", [0., 1.]),
    # modules: constructed inside the model, called on X
    ("ReLU", "torch.nn.ReLU()(X)", "real", [0.]),
    ("LeakyReLU", "torch.nn.LeakyReLU(0.2)(X)", "real", [0.]),
    ("ELU", "torch.nn.ELU()(X)", "real", [0.]),
    ("Softplus", "torch.nn.Softplus(beta=2.)(X)", "real", [0.]),
    ("Softplus", "torch.nn.Softplus(beta=1., threshold=1.)(X)", "real", [1.]),
    ("Sigmoid", "torch.nn.Sigmoid()(X)", "real", [0.]),
    ("Tanh", "torch.nn.Tanh()(X)", "real", [0.]),
    ("SoftmaxModule", "(torch.nn.Softmax(dim=0)(V) * W3).sum()", "real", [0.]),
    ("LogSoftmaxModule", "(torch.nn.LogSoftmax(dim=0)(V) * W3).sum()", "real", [0.]),
    ("Identity", "torch.nn.Identity()(X)", "real", [0.]),
    ("Sequential", "torch.nn.Sequential(torch.nn.Tanh(), torch.nn.ReLU())(X)", "real", [0.]),
    ("Linear", "torch.nn.Linear(1, 1)(X.reshape(1, 1)).sum()", "real", [0.]),
]

# Rows whose every slot is a size, flag, index or random draw: they make no smoothness claim about a value
# that flows into them, so there is nothing to probe (their ranges are checked below where numeric).
NO_SMOOTH_SLOT = {"Size", "Dim", "LongTensor", "Zeros", "Ones", "Eye", "Arange", "Linspace", "ZerosLike",
                  "OnesLike", "NewZeros", "NewOnes", "Rand", "Randn", "NormalInit", "UniformInit", "ZeroInit",
                  "PyLen", "PyStr", "StrFormat", "DistSample"}
# Rows not exercised yet, each with the reason. The ctest fails on any other row without a case.
NOT_YET = {
    "FAffineGrid": "needs a 4-D size argument the case template does not build",
    "FGridSample": "needs 4-D input and grid tensors the case template does not build",
    "PyTuple": "a container conversion: checked through the list/tuple cases of the generator",
    "PyList": "a container conversion: checked through the list/tuple cases of the generator",
    "ListAppend": "a container update: checked through the list cases of the generator",
    "Bilinear": "random weights of two inputs: covered by the Linear case's rule",
    "BatchNorm1d": "batch statistics need a batch of several values",
    "Dropout": "a random mask per call",
    "RNN": "sequence modules: covered by the backend's gradient checks",
    "GRU": "sequence modules: covered by the backend's gradient checks",
    "LSTMCell": "sequence modules: covered by the backend's gradient checks",
    "GRUCell": "sequence modules: covered by the backend's gradient checks",
}

# (row, distribution expression of X, observed value, domain of X, special values of X)
DISTS = [
    ("Normal", "dist.Normal(X, 1.3)", "torch.tensor(0.2)", "real", [0.2]),
    ("Normal", "dist.Normal(0.2, X)", "torch.tensor(0.5)", "pos", [1.]),
    ("Normal", "dist.Normal(0.2, 1.3)", "X", "real", [0.2]),
    ("LogNormal", "dist.LogNormal(X, 0.7)", "torch.tensor(1.5)", "real", [0.]),
    ("LogNormal", "dist.LogNormal(0.1, X)", "torch.tensor(1.5)", "pos", [1.]),
    ("LogNormal", "dist.LogNormal(0.1, 0.7)", "X", "pos", [1.]),
    ("HalfNormal", "dist.HalfNormal(X)", "torch.tensor(0.4)", "pos", [1.]),
    ("HalfNormal", "dist.HalfNormal(1.5)", "X", "pos", [1.]),
    ("Cauchy", "dist.Cauchy(X, 0.5)", "torch.tensor(0.2)", "real", [0.2]),
    ("Cauchy", "dist.Cauchy(0.1, X)", "torch.tensor(0.2)", "pos", [1.]),
    ("Cauchy", "dist.Cauchy(0.1, 0.5)", "X", "real", [0.1]),
    ("HalfCauchy", "dist.HalfCauchy(X)", "torch.tensor(0.4)", "pos", [1.]),
    ("HalfCauchy", "dist.HalfCauchy(0.8)", "X", "pos", [1.]),
    ("StudentT", "dist.StudentT(X, 0.1, 1.2)", "torch.tensor(0.4)", "pos", [1.]),
    ("StudentT", "dist.StudentT(3., X, 1.2)", "torch.tensor(0.4)", "real", [0.4]),
    ("StudentT", "dist.StudentT(3., 0.1, X)", "torch.tensor(0.4)", "pos", [1.]),
    ("StudentT", "dist.StudentT(3., 0.1, 1.2)", "X", "real", [0.1]),
    ("Laplace", "dist.Laplace(X, 0.9)", "torch.tensor(0.2)", "real", [0.2]),
    ("Laplace", "dist.Laplace(0.1, X)", "torch.tensor(0.2)", "pos", [1.]),
    ("Laplace", "dist.Laplace(0.1, 0.9)", "X", "real", [0.1]),
    ("Uniform", "dist.Uniform(X, X + 2.)", "torch.tensor(0.5)", "real", [0.5, -1.5]),
    ("Uniform", "dist.Uniform(-1., X)", "torch.tensor(0.5)", "pos", [0.5]),
    ("Uniform", "dist.Uniform(0., 1.)", "X", "unit", [0.5]),
    ("Uniform", "dist.Uniform(0., 1.)", "X", "real", [0., 1.]),
    ("Exponential", "dist.Exponential(X)", "torch.tensor(0.7)", "pos", [1.]),
    ("Exponential", "dist.Exponential(1.5)", "X", "pos", [1.]),
    ("Exponential", "dist.Exponential(1.5)", "X", "real", [0.]),
    ("Gamma", "dist.Gamma(X, 2.)", "torch.tensor(0.7)", "pos", [1.]),
    ("Gamma", "dist.Gamma(2., X)", "torch.tensor(0.7)", "pos", [1.]),
    ("Gamma", "dist.Gamma(2., 3.)", "X", "pos", [1.]),
    ("Beta", "dist.Beta(X, 2.)", "torch.tensor(0.3)", "pos", [1.]),
    ("Beta", "dist.Beta(2., X)", "torch.tensor(0.3)", "pos", [1.]),
    ("Beta", "dist.Beta(2., 3.)", "X", "unit", [0.5]),
    ("Dirichlet", "dist.Dirichlet(torch.stack([X, 1.5 * X + 0.1]))", "torch.tensor([0.3, 0.7])", "pos", [1.]),
    ("Dirichlet", "dist.Dirichlet(torch.tensor([2., 3.]))", "torch.stack([X, 1. - X])", "unit", [0.5]),
    ("VonMises", "dist.VonMises(X, 2.)", "torch.tensor(0.3)", "real", [0.3]),
    ("VonMises", "dist.VonMises(0.1, X)", "torch.tensor(0.3)", "pos", [1.]),
    ("VonMises", "dist.VonMises(0.1, 2.)", "X", "real", [0.1]),
    ("MultivariateNormal", "dist.MultivariateNormal(torch.stack([X, 0. * X]), scale_tril=torch.eye(2))",
     "torch.tensor([0.1, 0.2])", "real", [0.1]),
    ("MultivariateNormal",
     "dist.MultivariateNormal(torch.zeros(2), scale_tril=torch.stack([X, 0. * X, 0.3 + 0. * X, X]).reshape(2, 2))",
     "torch.tensor([0.1, 0.2])", "pos", [1.]),
    ("MultivariateNormal",
     "dist.MultivariateNormal(torch.zeros(2), covariance_matrix=torch.eye(2) * X)",
     "torch.tensor([0.1, 0.2])", "pos", [1.]),
    ("MultivariateNormal", "dist.MultivariateNormal(torch.zeros(2), torch.eye(2))", "torch.stack([X, 0.5 * X])",
     "real", [0.]),
    ("Bernoulli", "dist.Bernoulli(X)", "torch.tensor(1.)", "unit", [0.5]),
    ("Bernoulli", "dist.Bernoulli(logits=X)", "torch.tensor(0.)", "real", [0.]),
    ("Categorical", "dist.Categorical(torch.stack([X, 1. + 0. * X]))", "torch.tensor(1.)", "pos", [1.]),
    ("Categorical", "dist.Categorical(logits=torch.stack([X, 0. * X]))", "torch.tensor(0.)", "real", [0.]),
    ("OneHotCategorical", "dist.OneHotCategorical(torch.stack([X, 1. + 0. * X]))", "torch.tensor([0., 1.])",
     "pos", [1.]),
    ("Binomial", "dist.Binomial(5, X)", "torch.tensor(2.)", "unit", [0.5]),
    ("Binomial", "dist.Binomial(5, logits=X)", "torch.tensor(2.)", "real", [0.]),
    ("Multinomial", "dist.Multinomial(3, torch.stack([X, 1. + 0. * X]))", "torch.tensor([1., 2.])", "pos", [1.]),
    ("Poisson", "dist.Poisson(X)", "torch.tensor(2.)", "pos", [1.]),
    ("Geometric", "dist.Geometric(X)", "torch.tensor(2.)", "unit", [0.5]),
    ("Geometric", "dist.Geometric(logits=X)", "torch.tensor(2.)", "real", [0.]),
    ("ZeroInflatedNegativeBinomial", "dist.ZeroInflatedNegativeBinomial(X, probs=torch.tensor(0.3), gate=torch.tensor(0.2))",
     "torch.tensor(2.)", "pos", [1.]),
    ("ZeroInflatedNegativeBinomial", "dist.ZeroInflatedNegativeBinomial(torch.tensor(2.), probs=X, gate=torch.tensor(0.2))",
     "torch.tensor(0.)", "unit", [0.5]),
    ("ZeroInflatedNegativeBinomial", "dist.ZeroInflatedNegativeBinomial(torch.tensor(2.), probs=torch.tensor(0.3), gate=X)",
     "torch.tensor(0.)", "unit", [0.5]),
    ("ZeroInflatedNegativeBinomial", "dist.ZeroInflatedNegativeBinomial(torch.tensor(2.), logits=X, gate_logits=torch.tensor(0.1))",
     "torch.tensor(1.)", "real", [0.]),
    ("Delta", "dist.Delta(X)", "torch.tensor(0.3)", "real", [0.3]),
    ("Delta", "dist.Delta(torch.tensor(0.3), log_density=X)", "torch.tensor(0.3)", "real", [0.]),
    ("MaskedMixture", "dist.MaskedMixture(torch.tensor(True), dist.Normal(X, 1.), dist.Normal(0., 1.))",
     "torch.tensor(0.1)", "real", [0.1]),
]

LEVELS = ("cont", "lips", "diff")
BREAKS = set()  # (case, level) where the probe saw Pyro's density break


def table_rows(root):
    """Ids of the SVIC_OP / SVIC_MODULE / SVIC_DIST rows and the distributions' columns."""
    ir = os.path.join(root, "frontend", "ir", "include", "svic", "ir")
    ops = open(os.path.join(ir, "Operations.def")).read()
    dists = open(os.path.join(ir, "Distributions.def")).read()
    op_ids = re.findall(r"^SVIC_(?:OP|MODULE)\((\w+),", ops, re.M)
    ranges = {m[0]: m[1] for m in re.findall(r'^SVIC_OP\((\w+), "[^"]*", "[^"]*", (\w+),', ops, re.M)}
    dist_rows = {}
    for m in re.finditer(r'^SVIC_DIST\((\w+), "(\w+)",\s*"[^"]*",\s*(\w+), (true|false), (true|false), (\w+), (\d)\)',
                         dists, re.M):
        dist_rows[m.group(1)] = dict(cls=m.group(2), support=m.group(3), discrete=m.group(4) == "true",
                                     reparam=m.group(5) == "true", value=m.group(6), rank=int(m.group(7)))
    return op_ids, ranges, dist_rows


def svic_claims(svic, path):
    out = subprocess.run([svic, "analyze", path, "--format", "json"], capture_output=True, text=True, timeout=60)
    if not out.stdout.strip():
        return None, out.stderr.strip().splitlines()[-1:] or ["no report"]
    report = json.loads(out.stdout)
    model = next((p for p in report.get("programs", []) if p["role"] == "model"), None)
    if model is None or "smoothness" not in model:
        errors = [d.get("message", "") for d in report.get("diagnostics", []) if d.get("severity") == "error"]
        return None, errors or ["no smoothness report"]
    return {lvl: "z" in model["smoothness"][lvl]["smooth"] for lvl in LEVELS}, None


class Density:
    """log p(z, obs) of the case's model under real Pyro, or None where the run raises or is not finite."""

    def __init__(self, source):
        scope = {}
        exec(compile(source, "<case>", "exec"), scope)
        self.model = scope["model"]

    def __call__(self, z):
        torch.default_generator.manual_seed(0)  # module weights drawn at construction are the same on every call
        try:
            with torch.no_grad():
                tr = poutine.trace(poutine.condition(self.model, data={"z": torch.tensor(float(z))})).get_trace()
                v = float(tr.log_prob_sum())
        except Exception:
            return None
        return v if math.isfinite(v) else None


def probe(f, z0, scale=1.0):
    """The levels that the density visibly breaks at z0: a subset of LEVELS, with the evidence. The steps
    (1e-5, 1e-7, 1e-9) are multiplied by scale: cases computed in float32 are quantised at about 1e-7, so they
    are probed with steps 1e4 times longer. Differences within float64 rounding of the density's magnitude
    (noise) are no evidence: a density of 1e6 moves by about 1e-10 from rounding alone."""
    def at(h):
        return f(z0 + h * scale)
    f0 = f(z0)
    near = [at(s * h) for h in (1e-5, 1e-7, 1e-9) for s in (1, -1)]
    values = [f0] + near
    if all(v is None for v in values):
        return set(), None
    if any(v is None for v in values):
        return set(LEVELS), "raises or is not finite next to finite values"
    noise = 64 * 2.2e-16 * max(abs(v) for v in values)
    # A jump: the difference does not shrink with the step, down to 1e-11.
    d7, d9 = max(abs(at(1e-7) - f0), abs(at(-1e-7) - f0)), max(abs(at(1e-9) - f0), abs(at(-1e-9) - f0))
    d11 = max(abs(at(1e-11) - f0), abs(at(-1e-11) - f0))
    if d9 > 1e-6 + 4 * noise and d9 > 0.5 * d7 and d11 > 0.5 * d9:
        return set(LEVELS), "jump of %.3g" % d9
    # An unbounded slope: the difference quotient grows as the step shrinks.
    q5 = max(abs(at(1e-5) - f0), abs(at(-1e-5) - f0)) / (1e-5 * scale)
    q9 = d9 / (1e-9 * scale)
    # A smooth feature narrower than 1e-5 (a StudentT of scale 1e-6 in its loc) also steepens between 1e-5 and
    # 1e-9, but its quotient has settled by 1e-9: a cusp's keeps growing (by 10x per two decades for sqrt).
    settled = d11 > 10 * noise and d11 / (1e-11 * scale) < 1.5 * q9
    if q9 > 10 and q9 > 5 * q5 and d9 > 10 * noise and not settled:
        return {"lips", "diff"}, "slope %.3g at 1e-9 vs %.3g at 1e-5" % (q9, q5)
    # A kink: one-sided derivatives disagree, and not by a curvature term that shrinks with the step.
    def gap(h):
        return abs((at(h) - f0) - (f0 - at(-h))) / (h * scale)
    # A curvature term shrinks with the step (by 100x from 1e-7 to 1e-9); a kink's gap does not.
    g5, g7, g9 = gap(1e-5), gap(1e-7), gap(1e-9)
    curved = g9 > 4 * noise / (1e-9 * scale) and g9 < 0.5 * g7
    if g7 > 1e-3 * (1 + abs(at(1e-7) - f0) / (1e-7 * scale)) + 4 * noise / (1e-7 * scale) and g7 > 0.5 * g5 \
            and not curved:
        return {"diff"}, "one-sided derivatives differ by %.3g" % g7
    return set(), None


def self_test():
    """The probe must see the breaks it looks for, or a clean run proves nothing."""
    expect = [(lambda z: abs(z), 0.0, {"diff"}), (lambda z: math.floor(z), 1.0, set(LEVELS)),
              (lambda z: math.sqrt(abs(z)), 0.0, {"lips", "diff"}), (lambda z: math.sin(z), 0.3, set()),
              (lambda z: None if z < 0 else z, 0.0, set(LEVELS)),
              (lambda z: 1e-3 * math.sqrt(abs(z - 0.2)), 0.2, {"lips", "diff"}),
              # StudentT(df=0.731, loc=z, scale=1.17e-7).log_prob(0.52), 6 scales from its mode (generated program
              # g48, seed 48): smooth, but steeper at 1e-9 than at 1e-5.
              (lambda z: -0.8655 * math.log1p(((0.52 - z) / 1.1712781546396502e-07) ** 2 / 0.7311),
               0.5199993146267865, set()),
              # A Cauchy log-density whose loc moves 5.6e6 per unit of z (generated program g964): a peak 3e-7 wide,
              # curved at 1e-7: smooth.
              (lambda z: -math.log1p(((5.6e6 * (z - 0.0082485)) / 1.6) ** 2), 0.0082485 + 1.7e-7, set()),
              # A jump and a kink located to within 3e-14 of the point probed.
              (lambda z: 2.0 * (z > 0.7 + 3e-14), 0.7, set(LEVELS)), (lambda z: abs(z + 0.4 - 2e-14), -0.4, {"diff"})]
    problems = []
    for n, (f, z0, want) in enumerate(expect):
        got, _ = probe(f, z0)
        if got != want:
            problems.append("probe self-test %d: found breaks %s, expected %s" % (n, sorted(got), sorted(want)))
    return problems


def check_case(svic, workdir, n, row, body, domain, specials, gen):
    src = PRELUDE.format(domain=DOMAINS[domain][0], body=body)
    path = os.path.join(workdir, "case%03d.py" % n)
    with open(path, "w") as fh:
        fh.write(src)
    claims, err = svic_claims(svic, path)
    if claims is None:  # refusing a program claims nothing; counted and listed, not a contradiction
        print("refused  %s (case%03d.py): %s" % (row, n, err[0]))
        return [], None
    f = Density(src)
    inverse = DOMAINS[domain][1]
    points = [float(z) for z in torch.randn(8, generator=gen) * 2.0]
    points += [inverse(v) for v in specials if inverse(v) is not None]
    broken, evidence = set(), {}
    scale = 1e4 if (".float()" in body or "FloatTensor" in body) else 1.0
    for z0 in points:
        lv, why = probe(f, z0, scale)
        for lvl in lv - broken:
            evidence[lvl] = "z = %.6g: %s" % (z0, why)
        broken |= lv
    BREAKS.update((n, lvl) for lvl in broken)
    problems = ["%s: svic claims %s in z, but Pyro's density at %s (case%03d.py: %s)"
                % (row, lvl, evidence[lvl], n, body.strip().splitlines()[-1].strip())
                for lvl in LEVELS if claims[lvl] and lvl in broken]
    return problems, claims


def check_dist_columns(dist_rows):
    """Reparam, Discrete and EventRank of each distribution row against a canonical Pyro instance."""
    canonical = {
        "Normal": "dist.Normal(0., 1.)", "LogNormal": "dist.LogNormal(0., 1.)", "HalfNormal": "dist.HalfNormal(1.)",
        "Cauchy": "dist.Cauchy(0., 1.)", "HalfCauchy": "dist.HalfCauchy(1.)", "StudentT": "dist.StudentT(3.)",
        "Laplace": "dist.Laplace(0., 1.)", "Uniform": "dist.Uniform(0., 1.)", "Exponential": "dist.Exponential(1.)",
        "Gamma": "dist.Gamma(2., 1.)", "Beta": "dist.Beta(2., 2.)", "Dirichlet": "dist.Dirichlet(torch.ones(3))",
        "VonMises": "dist.VonMises(0., 1.)",
        "MultivariateNormal": "dist.MultivariateNormal(torch.zeros(2), torch.eye(2))",
        "Bernoulli": "dist.Bernoulli(0.3)", "Categorical": "dist.Categorical(torch.ones(3))",
        "OneHotCategorical": "dist.OneHotCategorical(torch.ones(3))", "Binomial": "dist.Binomial(5, 0.3)",
        "Multinomial": "dist.Multinomial(3, torch.ones(3))", "Poisson": "dist.Poisson(2.)",
        "Geometric": "dist.Geometric(0.3)",
        "ZeroInflatedNegativeBinomial": "dist.ZeroInflatedNegativeBinomial(torch.tensor(2.), probs=torch.tensor(0.3), gate=torch.tensor(0.2))",
        "Delta": "dist.Delta(torch.tensor(0.))",
        "MaskedMixture": "dist.MaskedMixture(torch.tensor(True), dist.Normal(0., 1.), dist.Normal(1., 1.))",
    }
    problems = []
    for row, cols in dist_rows.items():
        if row not in canonical:
            problems.append("%s: no canonical instance to check its columns" % row)
            continue
        d = eval(canonical[row])
        # Reparam false where Pyro can rsample only keeps svic from reparameterising (MaskedMixture, whose
        # has_rsample depends on its components): conservative, not a contradiction.
        if cols["reparam"] and not d.has_rsample:
            problems.append("%s: Reparam is true, but Pyro's has_rsample is false" % row)
        elif d.has_rsample and not cols["reparam"]:
            print("conservative  %s: Reparam false, Pyro's has_rsample true" % row)
        if bool(d.support.is_discrete) != cols["discrete"]:
            problems.append("%s: Discrete is %s, Pyro's support.is_discrete %s"
                            % (row, cols["discrete"], d.support.is_discrete))
        if len(d.event_shape) != cols["rank"]:
            problems.append("%s: EventRank is %d, Pyro's event_shape %s" % (row, cols["rank"], tuple(d.event_shape)))
    return problems


RANGE_CHECKS = {
    "Positive": lambda y: y > 0, "NonNegative": lambda y: y >= 0, "OpenUnit": lambda y: 0 < y < 1,
    "ClosedUnit": lambda y: 0 <= y <= 1, "HalfOpenUnit": lambda y: 0 <= y < 1,
    "OpenSymmetricUnit": lambda y: -1 < y < 1, "ClosedSymmetricUnit": lambda y: -1 <= y <= 1,
    "Zero": lambda y: y == 0, "One": lambda y: y == 1, "Integer": lambda y: float(y).is_integer(),
}


def check_ranges(ranges, gen):
    """Each unary case's Range on arguments of moderate size (the real-number semantics: no overflow)."""
    problems = []
    for row, expr, domain, specials in OPS:
        rng = ranges.get(row)
        if rng not in RANGE_CHECKS or "V" in expr or expr.count("X") != 1:
            continue
        # |z| <= 5: the real-number semantics, before float64 saturates (erf(6.) rounds to 1) or overflows.
        z = torch.cat([torch.clamp(torch.randn(200, generator=gen) * 2.5, -5., 5.), torch.tensor(
            [DOMAINS[domain][1](v) for v in specials if DOMAINS[domain][1](v) is not None])])
        for zi in z:
            scope = {"torch": torch, "F": F, "math": math, "dist": dist, "z": zi}
            X = eval(DOMAINS[domain][0], scope)
            scope["X"] = X
            try:
                y = eval(expr, scope)
            except Exception:
                continue
            y = float(y)
            if math.isfinite(y) and not RANGE_CHECKS[rng](y):
                problems.append("%s: Range %s, but %s = %r at X = %r" % (row, rng, expr, y, float(X)))
                break
    return problems


def main(argv):
    svic, root = argv[1], argv[2]
    warnings.simplefilter("ignore")
    pyro.enable_validation(True)
    gen = torch.Generator().manual_seed(int(os.environ.get("SVIC_DIFF_SEED", "0")))
    op_ids, ranges, dist_rows = table_rows(root)
    problems = self_test()
    covered = {c[0] for c in OPS} | NO_SMOOTH_SLOT | set(NOT_YET)
    problems += ["%s: an operation row with no case in table_rows.py" % r for r in op_ids if r not in covered]
    problems += ["%s: a distribution row with no case in table_rows.py" % r
                 for r in dist_rows if r not in {c[0] for c in DISTS}]
    problems += check_dist_columns(dist_rows)
    problems += check_ranges(ranges, gen)
    cases = [(row, OBSERVE.format(expr=expr), dom, sp) for row, expr, dom, sp in OPS]
    cases += [(row, SITE.format(expr=expr, obs=obs), dom, sp) for row, expr, obs, dom, sp in DISTS]
    stats = {lvl: 0 for lvl in LEVELS}
    with tempfile.TemporaryDirectory() as workdir:
        for n, (row, body, dom, sp) in enumerate(cases):
            found, claims = check_case(svic, workdir, n, row, body, dom, sp, gen)
            problems += found
            for lvl in LEVELS:
                stats[lvl] += bool(claims and claims[lvl])
    print("%d cases over %d operation rows and %d distribution rows; svic claims cont %d, lips %d, diff %d"
          % (len(cases), len(op_ids), len(dist_rows), stats["cont"], stats["lips"], stats["diff"]))
    print("Pyro's density seen to break: cont %d, lips %d, diff %d"
          % tuple(sum(1 for _, l in BREAKS if l == lvl) for lvl in LEVELS))
    for p in problems:
        print("CONTRADICTION " + p)
    print("%d contradictions" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
