"""The scale example of Pyro's introductory SVI tutorial, as users copy it: the model is conditioned with
pyro.condition at module level and only the SVI(...) call says which functions are model and guide."""
import matplotlib.pyplot as plt
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints
from pyro.infer import SVI, Trace_ELBO


def scale(guess):
    weight = pyro.sample("weight", dist.Normal(guess, 1.0))
    return pyro.sample("measurement", dist.Normal(weight, 0.75))


conditioned_scale = pyro.condition(scale, data={"measurement": torch.tensor(9.5)})


def scale_parametrized_guide(guess):
    a = pyro.param("a", torch.tensor(guess))
    b = pyro.param("b", torch.tensor(1.), constraint=constraints.positive)
    return pyro.sample("weight", dist.Normal(a, torch.abs(b)))


pyro.clear_param_store()
svi = SVI(model=conditioned_scale,
          guide=scale_parametrized_guide,
          optim=pyro.optim.Adam({"lr": 0.003}),
          loss=Trace_ELBO())

losses, a, b = [], [], []
num_steps = 2500
for t in range(num_steps):
    losses.append(svi.step(8.5))
    a.append(pyro.param("a").item())
    b.append(pyro.param("b").item())

plt.plot(losses)
plt.title("ELBO")
print("a = ", pyro.param("a").item())
print("b = ", pyro.param("b").item())
