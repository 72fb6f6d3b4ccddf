# MultivariateNormal with scale_tril and with covariance_matrix, observed under params
# (test_mvn.py compares ELBO and gradient with torch, and simulates).
import torch
import pyro
import pyro.distributions as dist


def model(x, y):
    loc = pyro.param("loc", torch.tensor([0.5, -1.0, 2.0]))
    tril = pyro.param("tril", torch.tensor([[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.4, 1.5]]))
    a = pyro.param("a", torch.tensor([[1.0, 0.2, 0.0], [0.1, 0.9, 0.3], [0.0, -0.4, 1.1]]))
    with pyro.plate("data", 4):
        pyro.sample("x", dist.MultivariateNormal(loc, scale_tril=tril), obs=x)
        pyro.sample("y", dist.MultivariateNormal(loc, covariance_matrix=a @ a.T + 0.5 * torch.eye(3)), obs=y)


def guide(x, y):
    pass
