"""AIR (Attend-Infer-Repeat), model side.  svic benchmark `air`; entry `main(data)`.

A minibatch of 64 images (50x50) is explained by at most three objects. At step
t = 0, 1, 2 the model samples
  z_pres_{}   Bernoulli presence flag (discrete, [64, 1]),
  z_where_{}  Normal window pose (scale, x, y), masked by z_pres ([64, 3]),
  z_what_{}   Normal window code, masked by z_pres ([64, 50]),
decodes z_what with an MLP (relu hidden layer), places the 28x28 window on the
canvas with a spatial transformer (affine_grid + grid_sample) and adds it.
The canvas is observed under Normal(., 0.3).

Expected smoothness (oracle): z_pres_{} none (discrete); z_where_{} lips
(grid_sample is Lipschitz, not differentiable, in the grid); z_what_{} lips and
decode_l1 lips (F.relu); decode_l2 diff (applied after the relu).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import pyro
import pyro.distributions as dist

# Constants shared with the guide.
expansion_indices = torch.LongTensor([1, 0, 2, 0, 1, 3])
z_where_loc_prior = nn.Parameter(torch.FloatTensor([3.0, 0.0, 0.0]), requires_grad=False)
z_where_scale_prior = nn.Parameter(torch.FloatTensor([0.2, 1.0, 1.0]), requires_grad=False)

# Decoder network.
decode_l1 = nn.Linear(50, 200)
decode_l2 = nn.Linear(200, 784)

# Prior on the number of objects: a geometric-like prior with p = 0.01,
# written as one success probability per step.
k = 0.01
u = 1 / (1 + k + (k * k) + (k * k * k))
p0 = 1 - u
p1 = 1 - (k * u) / p0
p2 = 1 - ((k * k) * u) / (p0 * p1)
trial_probs = torch.tensor([p0, p1, p2])


def main(data):
    data = torch.reshape(data, [60000, 50, 50])

    pyro.module("decode_l1", decode_l1)
    pyro.module("decode_l2", decode_l2)

    # One fixed minibatch of 64 images (no subsampling, see examples/paper/README.md).
    with pyro.plate("data", 64) as ix:
        batch = data[ix]

        canvas = torch.zeros([64, 50, 50])
        z_pres = torch.ones([64, 1])
        all_z_pres = []
        all_z_where = []

        for t in range(3):
            # Constant auxiliary observation (kept from the benchmark).
            pyro.sample("aux_{}".format(t), dist.Normal(0., 1.), obs=torch.tensor(0.))

            # An object can be present only if the previous one was.
            z_pres = pyro.sample("z_pres_{}".format(t),
                                 dist.Bernoulli(trial_probs[t] * z_pres).to_event(1))
            z_where = pyro.sample("z_where_{}".format(t),
                                  dist.Normal(torch.Tensor.expand(z_where_loc_prior, [64, 3]),
                                              torch.Tensor.expand(z_where_scale_prior, [64, 3]))
                                  .mask(z_pres)
                                  .to_event(1))
            z_what = pyro.sample("z_what_{}".format(t),
                                 dist.Normal(torch.zeros([64, 50]), torch.ones([64, 50]))
                                 .mask(z_pres)
                                 .to_event(1))

            # Decode the window content: [64, 784].
            window = torch.sigmoid(decode_l2(F.relu(decode_l1(z_what))) - 2.0)

            # Expand z_where = [s, x, y] into the affine matrices [[s, 0, x], [0, s, y]].
            theta = torch.cat((torch.zeros(64, 1), z_where), 1)
            theta = torch.index_select(theta, 1, expansion_indices)
            theta = torch.Tensor.view(theta, [64, 2, 3])

            # Place the 28x28 window on the 50x50 canvas.
            grid = F.affine_grid(theta, [64, 1, 50, 50])
            placed = F.grid_sample(torch.Tensor.view(window, [64, 1, 28, 28]), grid)
            placed = torch.Tensor.view(placed, [64, 50, 50])

            canvas = canvas + placed * torch.Tensor.view(z_pres, [64, 1, 1])

            all_z_where.append(z_where)
            all_z_pres.append(z_pres)

        pyro.sample("obs",
                    dist.Normal(torch.Tensor.view(canvas, [64, 2500]),
                                0.3 * torch.ones(64, 2500))
                    .to_event(1),
                    obs=torch.Tensor.view(batch, [64, 2500]))
