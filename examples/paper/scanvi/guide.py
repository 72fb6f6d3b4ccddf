"""scANVI (single-cell annotation), guide side.  svic benchmark `scanvi`;
entry `guide(x, y=None)`.

From log(1 + x) an encoder gives z2 (Normal) and the library size l
(LogNormal); a classifier on z2 gives the cell-type logits: y is sampled from
them when unlabelled, otherwise a classification loss is added with
pyro.factor. A last encoder on cat(z2, y) gives z1 (Normal). Each network is
Linear -> BatchNorm1d -> ReLU -> Linear -> BatchNorm1d.

Expected smoothness (oracle): z1 diff; z2 lips (fed to the classifier's and
z1 encoder's ReLU); l diff; y none (discrete); *_fc_1, *_fc_2 lips; *_fc_4,
*_fc_5 diff.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist

# q(z2 | x) and q(l | x)
z2l_encoder_fc_1 = nn.Linear(21932, 100)
z2l_encoder_fc_2 = nn.BatchNorm1d(100)
z2l_encoder_fc_3 = nn.ReLU()
z2l_encoder_fc_4 = nn.Linear(100, 22)
z2l_encoder_fc_5 = nn.BatchNorm1d(22)

# q(z1 | z2, y)
z1_encoder_fc_1 = nn.Linear(14, 50)
z1_encoder_fc_2 = nn.BatchNorm1d(50)
z1_encoder_fc_3 = nn.ReLU()
z1_encoder_fc_4 = nn.Linear(50, 20)
z1_encoder_fc_5 = nn.BatchNorm1d(20)

# q(y | z2)
classifier_fc_1 = nn.Linear(10, 50)
classifier_fc_2 = nn.BatchNorm1d(50)
classifier_fc_3 = nn.ReLU()
classifier_fc_4 = nn.Linear(50, 4)
classifier_fc_5 = nn.BatchNorm1d(4)

# Constants of the data set.
alpha = 0.01
scale_factor = 4.559547692868867e-07


def guide(x, y=None):
    pyro.module("z2l_encoder_fc_1", z2l_encoder_fc_1)
    pyro.module("z2l_encoder_fc_2", z2l_encoder_fc_2)
    pyro.module("z2l_encoder_fc_4", z2l_encoder_fc_4)
    pyro.module("z2l_encoder_fc_5", z2l_encoder_fc_5)
    pyro.module("z1_encoder_fc_1", z1_encoder_fc_1)
    pyro.module("z1_encoder_fc_2", z1_encoder_fc_2)
    pyro.module("z1_encoder_fc_4", z1_encoder_fc_4)
    pyro.module("z1_encoder_fc_5", z1_encoder_fc_5)
    pyro.module("classifier_fc_1", classifier_fc_1)
    pyro.module("classifier_fc_2", classifier_fc_2)
    pyro.module("classifier_fc_4", classifier_fc_4)
    pyro.module("classifier_fc_5", classifier_fc_5)

    with pyro.plate("batch", len(x)), pyro.poutine.scale(scale=scale_factor):
        # z2 and l encoder.
        x_log = torch.log(1 + x)
        if True:
            out = z2l_encoder_fc_5(z2l_encoder_fc_4(
                z2l_encoder_fc_3(z2l_encoder_fc_2(z2l_encoder_fc_1(x_log)))))
        if True:
            h1 = out[..., :int(out.shape[-1] / 2)]
            h2 = out[..., int(out.shape[-1] / 2):]
        z2_loc = h1[..., :-1]
        z2_scale = F.softplus(h2[..., :-1])
        l_loc = h1[..., -1:]
        l_scale = F.softplus(h2[..., -1:])
        pyro.sample("l", dist.LogNormal(l_loc, l_scale).to_event(1))
        z2 = pyro.sample("z2", dist.Normal(z2_loc, z2_scale).to_event(1))

        # Classifier.
        if True:
            y_logits = classifier_fc_5(classifier_fc_4(
                classifier_fc_3(classifier_fc_2(classifier_fc_1(z2)))))
        if y is None:
            # Unlabelled cell: sample its type.
            y = pyro.sample("y", dist.OneHotCategorical(F.softmax(y_logits, -1)))
        else:
            # Labelled cell: add a classification loss (the sign: the guide's
            # log-density enters the ELBO negated).
            classification_loss = dist.OneHotCategorical(F.softmax(y_logits, -1)).log_prob(y)
            pyro.factor("classification_loss", -alpha * classification_loss)

        # z1 encoder on cat(z2, y), both expanded to the common batch shape.
        if True:
            shape = z2.shape[:-1] + (-1,)
            z2_y = [torch.Tensor.expand(z2, shape), torch.Tensor.expand(y, shape)]
        z2_y = torch.cat(z2_y, dim=-1)
        z2_y_flat = torch.Tensor.reshape(z2_y, [-1, z2_y.shape[-1]])
        if True:
            hidden = z1_encoder_fc_5(z1_encoder_fc_4(
                z1_encoder_fc_3(z1_encoder_fc_2(z1_encoder_fc_1(z2_y_flat)))))
        hidden = torch.Tensor.reshape(hidden, z2_y.shape[:-1] + hidden.shape[-1:])
        if True:
            z1_loc = hidden[..., :int(hidden.shape[-1] / 2)]
            z1_scale = hidden[..., int(hidden.shape[-1] / 2):]
        z1_scale = F.softplus(z1_scale)
        pyro.sample("z1", dist.Normal(z1_loc, z1_scale).to_event(1))
