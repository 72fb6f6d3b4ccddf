"""AIR (Attend-Infer-Repeat), guide side.  svic benchmark `air`; entry `main(data)`.

An LSTM cell (`rnn`) reads the image and the previous latents and predicts, at
each of the three steps, the presence probability and the pose of the next
object; the window under the pose is cut out of the image with an inverse
spatial transformer (division by the scale z_where[:, 0:1]) and encoded into the
Normal parameters of z_what. A second LSTM (`bl_rnn`) computes a baseline for
the discrete z_pres_{}; it is tied into the guide density by the constant
auxiliary observation aux_{} (Normal(exp(b - b), 1) at 0).
The six initial states are registered in statement form
`pyro.param("h_init", h_init)`, which aliases the module-level nn.Parameter.

Expected smoothness (oracle): z_pres_{} none (discrete); z_where_{} none
(division by z_where[:, 0:1], which may be 0); z_what_{} lips; every relu-fed
network and every initial state lips; predict_l2, encode_l2, bl_predict_l2 diff.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist

# Constants shared with the model.
expansion_indices = torch.LongTensor([1, 0, 2, 0, 1, 3])
z_where_loc_prior = nn.Parameter(torch.FloatTensor([3.0, 0.0, 0.0]), requires_grad=False)
z_where_scale_prior = nn.Parameter(torch.FloatTensor([0.2, 1.0, 1.0]), requires_grad=False)

# Networks.
rnn = nn.LSTMCell(2554, 256)
encode_l1 = nn.Linear(784, 200)
encode_l2 = nn.Linear(200, 100)
predict_l1 = nn.Linear(256, 200)
predict_l2 = nn.Linear(200, 7)
bl_rnn = nn.LSTMCell(2554, 256)
bl_predict_l1 = nn.Linear(256, 200)
bl_predict_l2 = nn.Linear(200, 1)

# Learnable initial states.
h_init = nn.Parameter(torch.zeros(1, 256))
c_init = nn.Parameter(torch.zeros(1, 256))
bl_h_init = nn.Parameter(torch.zeros(1, 256))
bl_c_init = nn.Parameter(torch.zeros(1, 256))
z_where_init = nn.Parameter(torch.zeros(1, 3))
z_what_init = nn.Parameter(torch.zeros(1, 50))


def main(data):
    data = torch.reshape(data, [60000, 50, 50])

    pyro.module("rnn", rnn)
    pyro.module("bl_rnn", bl_rnn)
    pyro.module("predict_l1", predict_l1)
    pyro.module("predict_l2", predict_l2)
    pyro.module("encode_l1", encode_l1)
    pyro.module("encode_l2", encode_l2)
    pyro.module("bl_predict_l1", bl_predict_l1)
    pyro.module("bl_predict_l2", bl_predict_l2)

    # Statement form: the nn.Parameter objects themselves become the params.
    pyro.param("h_init", h_init)
    pyro.param("c_init", c_init)
    pyro.param("z_where_init", z_where_init)
    pyro.param("z_what_init", z_what_init)
    pyro.param("bl_h_init", bl_h_init)
    pyro.param("bl_c_init", bl_c_init)

    with pyro.plate("data", 64) as ix:
        batch = data[ix]
        flat_batch = torch.Tensor.view(batch, [64, 2500])

        h = torch.Tensor.expand(h_init, [64, 256])
        c = torch.Tensor.expand(c_init, [64, 256])
        bl_h = torch.Tensor.expand(bl_h_init, [64, 256])
        bl_c = torch.Tensor.expand(bl_c_init, [64, 256])
        z_pres = torch.ones(64, 1)
        z_where = torch.Tensor.expand(z_where_init, [64, 3])
        z_what = torch.Tensor.expand(z_what_init, [64, 50])

        all_z_pres = []
        all_z_where = []

        for t in range(3):
            # Recurrent step: [64, 2500 + 3 + 50 + 1] -> [64, 256].
            rnn_input = torch.cat((flat_batch, z_where, z_what, z_pres), 1)
            h, c = rnn(rnn_input, (h, c))

            # Predict presence and pose.
            out = predict_l2(F.relu(predict_l1(h)))
            z_pres_p = torch.sigmoid(out[:, 0:1])
            z_where_loc = out[:, 1:4]
            z_where_scale = F.softplus(out[:, 4:])

            # Baseline for the score-function estimator of z_pres (inputs detached).
            bl_input = torch.cat((flat_batch,
                                  torch.Tensor.detach(z_where),
                                  torch.Tensor.detach(z_what),
                                  torch.Tensor.detach(z_pres)), 1)
            bl_h, bl_c = bl_rnn(bl_input, (bl_h, bl_c))
            bl_value = bl_predict_l2(F.relu(bl_predict_l1(bl_h)))
            bl_value = bl_value * z_pres
            bl_value = torch.squeeze(bl_value, -1)

            z_pres = pyro.sample("z_pres_{}".format(t),
                                 dist.Bernoulli(z_pres_p * z_pres).to_event(1),
                                 infer={"baseline": {"baseline_value": bl_value}})

            # Ties the baseline networks into the guide density; exp(b - b) = 1.
            one = torch.exp(bl_value - bl_value)
            pyro.sample("aux_{}".format(t), dist.Normal(one, 1.), obs=torch.tensor(0.))

            z_where = pyro.sample("z_where_{}".format(t),
                                  dist.Normal(z_where_loc + z_where_loc_prior,
                                              z_where_scale * z_where_scale_prior)
                                  .mask(z_pres)
                                  .to_event(1))

            # Inverse pose [1/s, -x/s, -y/s]: divides by the sampled scale.
            inv = torch.cat((torch.ones(64, 1), -z_where[:, 1:]), 1)
            inv = inv / z_where[:, 0:1]
            theta_inv = torch.cat((torch.zeros(64, 1), inv), 1)
            theta_inv = torch.index_select(theta_inv, 1, expansion_indices)
            theta_inv = torch.Tensor.view(theta_inv, [64, 2, 3])

            # Cut the 28x28 window out of the image.
            grid = F.affine_grid(theta_inv, [64, 1, 28, 28])
            window = F.grid_sample(torch.Tensor.view(batch, [64, 1, 50, 50]), grid)
            window = torch.Tensor.view(window, [64, 784])

            # Encode the window.
            a = encode_l2(F.relu(encode_l1(window)))
            z_what_loc = a[:, 0:50]
            z_what_scale = F.softplus(a[:, 50:])

            z_what = pyro.sample("z_what_{}".format(t),
                                 dist.Normal(z_what_loc, z_what_scale)
                                 .mask(z_pres)
                                 .to_event(1))

            all_z_where.append(z_where)
            all_z_pres.append(z_pres)
