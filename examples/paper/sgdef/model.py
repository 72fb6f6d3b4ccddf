"""Sparse Gamma deep exponential family, model side.  svic benchmark `sgdef`;
entry `main(x)`.

Three layers of Gamma weights (w_top [100x40], w_mid [40x15], w_bottom
[15x4096], each sampled flat in its own plate and reshaped) and three layers
of Gamma latents per datapoint (z_top [320, 100], z_mid [320, 40], z_bottom
[320, 15]); each layer's rate is beta / (z_above @ w). 320 images of 64x64
pixels are observed under Poisson(z_bottom @ w_bottom).

Expected smoothness (oracle): w_top, w_mid, w_bottom, z_top, z_mid, z_bottom
all diff (the divisor z @ w is a product of Gamma samples, hence > 0).
"""
import torch
import pyro
import pyro.distributions as dist


def main(x):
    # Hyper-parameters.
    alpha_z = torch.tensor(0.1)
    beta_z = torch.tensor(0.1)
    alpha_w = torch.tensor(0.1)
    beta_w = torch.tensor(0.3)

    x = torch.reshape(x, [320, 4096])

    # Global weights.
    with pyro.plate("w_top_plate", 4000):
        w_top = pyro.sample("w_top", dist.Gamma(alpha_w, beta_w))
    with pyro.plate("w_mid_plate", 600):
        w_mid = pyro.sample("w_mid", dist.Gamma(alpha_w, beta_w))
    with pyro.plate("w_bottom_plate", 61440):
        w_bottom = pyro.sample("w_bottom", dist.Gamma(alpha_w, beta_w))

    # Local latents.
    with pyro.plate("data", 320):
        z_top = pyro.sample("z_top", dist.Gamma(alpha_z, beta_z).expand_by([100]).to_event(1))

        w_top = torch.reshape(w_top, [100, 40])
        mean_mid = torch.matmul(z_top, w_top)
        z_mid = pyro.sample("z_mid", dist.Gamma(alpha_z, beta_z / mean_mid).to_event(1))

        w_mid = torch.reshape(w_mid, [40, 15])
        mean_bottom = torch.matmul(z_mid, w_mid)
        z_bottom = pyro.sample("z_bottom", dist.Gamma(alpha_z, beta_z / mean_bottom).to_event(1))

        w_bottom = torch.reshape(w_bottom, [15, 4096])
        mean_obs = torch.matmul(z_bottom, w_bottom)

        pyro.sample("obs", dist.Poisson(mean_obs).to_event(1), obs=x)
