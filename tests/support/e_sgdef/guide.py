"""svic support-match corpus: e_sgdef, guide side.

Oracle entry "SGDEF example" (expected: match).
Written from the artifact's tests/pyro_examples/sgdef_guide.py (pyro.ai sparse gamma deep exponential family).
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

alpha_init = 0.5
mean_init = 0.0
sigma_init = 0.1
softplus = nn.Softplus()


def guide(x):
    x = torch.reshape(x, [320, 4096])

    with pyro.plate("w_top_plate", 4000):
        alpha_q = pyro.param("log_alpha_w_q_top", alpha_init * torch.ones(4000) + sigma_init * torch.randn(4000))
        mean_q = pyro.param("log_mean_w_q_top", mean_init * torch.ones(4000) + sigma_init * torch.randn(4000))
        alpha_q = softplus(alpha_q)
        mean_q = softplus(mean_q)
        pyro.sample("w_top", dist.Gamma(alpha_q, alpha_q / mean_q))

    with pyro.plate("w_mid_plate", 600):
        alpha_q = pyro.param("log_alpha_w_q_mid", alpha_init * torch.ones(600) + sigma_init * torch.randn(600))
        mean_q = pyro.param("log_mean_w_q_mid", mean_init * torch.ones(600) + sigma_init * torch.randn(600))
        alpha_q = softplus(alpha_q)
        mean_q = softplus(mean_q)
        pyro.sample("w_mid", dist.Gamma(alpha_q, alpha_q / mean_q))

    with pyro.plate("w_bottom_plate", 61440):
        alpha_q = pyro.param("log_alpha_w_q_bottom", alpha_init * torch.ones(61440) + sigma_init * torch.randn(61440))
        mean_q = pyro.param("log_mean_w_q_bottom", mean_init * torch.ones(61440) + sigma_init * torch.randn(61440))
        alpha_q = softplus(alpha_q)
        mean_q = softplus(mean_q)
        pyro.sample("w_bottom", dist.Gamma(alpha_q, alpha_q / mean_q))

    with pyro.plate("data", 320):
        alpha_q = pyro.param("log_alpha_z_q_top", alpha_init * torch.ones(320, 100) + sigma_init * torch.randn(320, 100))
        mean_q = pyro.param("log_mean_z_q_top", mean_init * torch.ones(320, 100) + sigma_init * torch.randn(320, 100))
        alpha_q = softplus(alpha_q)
        mean_q = softplus(mean_q)
        pyro.sample("z_top", dist.Gamma(alpha_q, alpha_q / mean_q).to_event(1))
        alpha_q = pyro.param("log_alpha_z_q_mid", alpha_init * torch.ones(320, 40) + sigma_init * torch.randn(320, 40))
        mean_q = pyro.param("log_mean_z_q_mid", mean_init * torch.ones(320, 40) + sigma_init * torch.randn(320, 40))
        alpha_q = softplus(alpha_q)
        mean_q = softplus(mean_q)
        pyro.sample("z_mid", dist.Gamma(alpha_q, alpha_q / mean_q).to_event(1))
        alpha_q = pyro.param("log_alpha_z_q_bottom", alpha_init * torch.ones(320, 15) + sigma_init * torch.randn(320, 15))
        mean_q = pyro.param("log_mean_z_q_bottom", mean_init * torch.ones(320, 15) + sigma_init * torch.randn(320, 15))
        alpha_q = softplus(alpha_q)
        mean_q = softplus(mean_q)
        pyro.sample("z_bottom", dist.Gamma(alpha_q, alpha_q / mean_q).to_event(1))
