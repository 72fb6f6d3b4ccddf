# Helpers that bail out early, a model with an early return for the
# unconditioned case, and plotting code the model never reaches. Expected:
# svic does not fold the string test in link(), so the Bernoulli probs may be
# the unbounded eta and the model "may break" in w (sound, conservative).
import matplotlib.pyplot as plt
import torch
import pyro
import pyro.distributions as dist


def prior_scale(level):
    if level <= 0:
        return 1.0
    if level == 1:
        return 2.0
    return 5.0


def link(eta, kind):
    if kind == "identity":
        return eta
    return torch.sigmoid(eta)


def model(x, y=None, level=1):
    w = pyro.sample("w", dist.Normal(0., prior_scale(level)))
    if y is None:
        return w
    with pyro.plate("data", 100):
        p = link(w * x, "logit")
        pyro.sample("y", dist.Bernoulli(p), obs=y)
    return w


def guide(x, y=None, level=1):
    loc = pyro.param("w_loc", torch.tensor(0.))
    pyro.sample("w", dist.Normal(loc, 1.))


def plot(samples):
    plt.hist(samples.numpy(), bins=50)
    plt.savefig("posterior.png")
