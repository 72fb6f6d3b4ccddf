"""svic support-match corpus: e_air, guide side.

Oracle entry "AIR example" (expected: match).
Written from the artifact's tests/pyro_examples/air_guide.py (pyro.ai attend-infer-repeat).
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

rnn = nn.LSTMCell(2554, 256)
encode_l1 = nn.Linear(784, 200)
encode_l2 = nn.Linear(200, 100)
predict_l1 = nn.Linear(256, 200)
predict_l2 = nn.Linear(200, 7)
bl_rnn = nn.LSTMCell(2554, 256)
bl_predict_l1 = nn.Linear(256, 200)
bl_predict_l2 = nn.Linear(200, 1)

h_init = nn.Parameter(torch.zeros(1, 256))
c_init = nn.Parameter(torch.zeros(1, 256))
bl_h_init = nn.Parameter(torch.zeros(1, 256))
bl_c_init = nn.Parameter(torch.zeros(1, 256))
z_where_init = nn.Parameter(torch.zeros(1, 3))
z_what_init = nn.Parameter(torch.zeros(1, 50))


def guide(data):
    data = torch.reshape(data, [60000, 50, 50])

    pyro.module("rnn", rnn)
    pyro.module("bl_rnn", bl_rnn)
    pyro.module("predict_l1", predict_l1)
    pyro.module("predict_l2", predict_l2)
    pyro.module("encode_l1", encode_l1)
    pyro.module("encode_l2", encode_l2)
    pyro.module("bl_predict_l1", bl_predict_l1)
    pyro.module("bl_predict_l2", bl_predict_l2)

    pyro.param("h_init", h_init)
    pyro.param("c_init", c_init)
    pyro.param("z_where_init", z_where_init)
    pyro.param("z_what_init", z_what_init)
    pyro.param("bl_h_init", bl_h_init)
    pyro.param("bl_c_init", bl_c_init)

    with pyro.plate("data", 60000, 64) as ix:
        batch = data[ix]
        flattened_batch = torch.Tensor.view(batch, [64, 2500])

        state_h = torch.Tensor.expand(h_init, [64, 256])
        state_c = torch.Tensor.expand(c_init, [64, 256])
        state_bl_h = torch.Tensor.expand(bl_h_init, [64, 256])
        state_bl_c = torch.Tensor.expand(bl_c_init, [64, 256])
        state_z_pres = torch.ones(64, 1)
        state_z_where = torch.Tensor.expand(z_where_init, [64, 3])
        state_z_what = torch.Tensor.expand(z_what_init, [64, 50])

        z_pres = []
        z_where = []

        for t in range(3):
            rnn_input = torch.cat((flattened_batch, state_z_where, state_z_what, state_z_pres), 1)
            state_h, state_c = rnn(rnn_input, (state_h, state_c))

            # predict
            out = predict_l2(F.relu(predict_l1(state_h)))
            z_pres_p = torch.sigmoid(out[:, 0:1])
            z_where_loc = out[:, 1:4]
            z_where_scale = F.softplus(out[:, 4:])

            # baseline_step
            rnn_input = torch.cat((flattened_batch,
                                   torch.Tensor.detach(state_z_where),
                                   torch.Tensor.detach(state_z_what),
                                   torch.Tensor.detach(state_z_pres)), 1)
            state_bl_h, state_bl_c = bl_rnn(rnn_input, (state_bl_h, state_bl_c))
            bl_value = bl_predict_l2(F.relu(bl_predict_l1(state_bl_h)))
            bl_value = bl_value * state_z_pres
            infer_dict = dict(baseline=dict(baseline_value=torch.squeeze(bl_value, -1)))

            cur_z_pres = pyro.sample("z_pres_{}".format(t),
                                     dist.Bernoulli(z_pres_p * state_z_pres).to_event(1),
                                     infer=infer_dict)
            cur_z_where = pyro.sample("z_where_{}".format(t),
                                      dist.Normal(z_where_loc + z_where_loc_prior,
                                                  z_where_scale * z_where_scale_prior)
                                      .mask(cur_z_pres)
                                      .to_event(1))

            # image_to_window, with z_where_inv and expand_z_where inlined
            out = torch.cat((torch.ones(64, 1), -cur_z_where[:, 1:]), 1)
            out = out / cur_z_where[:, 0:1]
            out = torch.cat((torch.zeros(64, 1), out), 1)
            out = torch.index_select(out, 1, expansion_indices)
            theta_inv = torch.Tensor.view(out, [64, 2, 3])
            grid = F.affine_grid(theta_inv, [64, 1, 28, 28])
            out = F.grid_sample(torch.Tensor.view(batch, [64, 1, 50, 50]), grid)
            x_att = torch.Tensor.view(out, [64, 784])

            # encode
            a = encode_l2(F.relu(encode_l1(x_att)))
            z_what_loc = a[:, 0:50]
            z_what_scale = F.softplus(a[:, 50:])

            cur_z_what = pyro.sample("z_what_{}".format(t),
                                     dist.Normal(z_what_loc, z_what_scale)
                                     .mask(cur_z_pres)
                                     .to_event(1))

            state_z_pres = cur_z_pres
            state_z_where = cur_z_where
            state_z_what = cur_z_what
            z_where.append(state_z_where)
            z_pres.append(state_z_pres)
