"""svic support-match corpus: e_air, model side.

Oracle entry "AIR example" (expected: match).
Written from the artifact's tests/pyro_examples/air_model.py (pyro.ai attend-infer-repeat).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist

# shared by model and guide
expansion_indices = torch.LongTensor([1, 0, 2, 0, 1, 3])
z_where_loc_prior = nn.Parameter(torch.FloatTensor([3.0, 0.0, 0.0]), requires_grad=False)
z_where_scale_prior = nn.Parameter(torch.FloatTensor([0.2, 1.0, 1.0]), requires_grad=False)

decode_l1 = nn.Linear(50, 200)
decode_l2 = nn.Linear(200, 784)


def model(data):
    # make_prior(z_pres_prior_p = 0.01), inlined
    k = 0.01
    u = 1 / (1 + k + (k * k) + (k * k * k))
    p0 = 1 - u
    p1 = 1 - (k * u) / p0
    p2 = 1 - ((k * k) * u) / (p0 * p1)
    trial_probs = torch.tensor([p0, p1, p2])

    data = torch.reshape(data, [60000, 50, 50])
    pyro.module("decode_l1", decode_l1)
    pyro.module("decode_l2", decode_l2)

    with pyro.plate("data", 60000, 64) as ix:
        batch = data[ix]

        state_x = torch.zeros([64, 50, 50])
        state_z_pres = torch.ones([64, 1])
        z_pres = []
        z_where = []

        for t in range(3):
            prev_x = state_x
            prev_z_pres = state_z_pres

            cur_z_pres = pyro.sample("z_pres_{}".format(t),
                                     dist.Bernoulli(trial_probs[t] * prev_z_pres)
                                     .to_event(1))
            sample_mask = cur_z_pres
            cur_z_where = pyro.sample("z_where_{}".format(t),
                                      dist.Normal(torch.Tensor.expand(z_where_loc_prior, [64, 3]),
                                                  torch.Tensor.expand(z_where_scale_prior, [64, 3]))
                                      .mask(sample_mask)
                                      .to_event(1))
            cur_z_what = pyro.sample("z_what_{}".format(t),
                                     dist.Normal(torch.zeros([64, 50]), torch.ones([64, 50]))
                                     .mask(sample_mask)
                                     .to_event(1))

            # decode
            y_att = torch.sigmoid(decode_l2(F.relu(decode_l1(cur_z_what))) - 2.0)

            # window_to_image, with expand_z_where inlined
            out = torch.cat((torch.zeros(64, 1), cur_z_where), 1)
            out = torch.index_select(out, 1, expansion_indices)
            theta = torch.Tensor.view(out, [64, 2, 3])
            grid = F.affine_grid(theta, [64, 1, 50, 50])
            out = F.grid_sample(torch.Tensor.view(y_att, [64, 1, 28, 28]), grid)
            y = torch.Tensor.view(out, [64, 50, 50])

            cur_x = prev_x + (y * torch.Tensor.view(cur_z_pres, [64, 1, 1]))

            state_x = cur_x
            state_z_pres = cur_z_pres
            z_where.append(cur_z_where)
            z_pres.append(cur_z_pres)

        x = state_x
        pyro.sample("obs",
                    dist.Normal(torch.Tensor.view(x, [64, 2500]), 0.3 * torch.ones(64, 2500))
                    .to_event(1),
                    obs=torch.Tensor.view(batch, [64, 2500]))
