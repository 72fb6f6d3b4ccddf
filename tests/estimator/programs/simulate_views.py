"""svic simulate through views (tests/estimator/test_simulate.py): every draw is its site's loc to within 1e-6, so
the values in the written data say at which positions each site's draw landed.

x [4, 3, 2] is observed one time step at a time (x[:, t, :], as dmm's notes); y [5, 2] through an index tensor
(rows 3 and 1, as air's data[ix]); z [2, 3] through a mask given as data (as cvae's ys[xs == -1]; its shape from --shape). Positions that
no site observes are 0. w [2, 3] is observed through unsqueeze(flatten(transpose(w))), as one row [1, 6].
"""
import torch
import pyro
import pyro.distributions as dist


def main(x, y, z, m, w):
    x = torch.reshape(x, [4, 3, 2])
    y = torch.reshape(y, [5, 2])
    for t in range(3):
        loc = torch.reshape(torch.arange(8.), [4, 2]) + 100. * t
        pyro.sample("x_{}".format(t), dist.Normal(loc, 1e-6).to_event(2), obs=x[:, t, :])
    pyro.sample("y", dist.Normal(torch.tensor([[1., 2.], [3., 4.]]), 1e-6).to_event(2),
                obs=y[torch.tensor([3, 1])])
    picked = z[m == 1]
    pyro.sample("z", dist.Normal(7. * torch.ones(picked.shape[0]), 1e-6).to_event(1), obs=picked)
    w = torch.reshape(w, [2, 3])
    pyro.sample("w", dist.Normal(torch.reshape(torch.arange(6.), [1, 6]) + 50., 1e-6).to_event(2),
                obs=torch.unsqueeze(torch.flatten(torch.transpose(w, 0, 1)), 0))
