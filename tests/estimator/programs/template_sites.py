# Sites named from a template in a loop (dmm's z_{}, air's z_what_{}): the analysis selects `z_{}` for the pathwise
# estimator, which covers every z_t (test_template_sites.py).
import torch
import pyro
import pyro.distributions as dist


def model():
    for t in range(3):
        z = pyro.sample("z_{}".format(t), dist.Normal(0., 1.))
        pyro.sample("x_{}".format(t), dist.Normal(z, 1.), obs=torch.tensor(0.5 * t))


def guide():
    loc = pyro.param("loc", torch.tensor(0.1))
    for t in range(3):
        pyro.sample("z_{}".format(t), dist.Normal(loc, 1.))
