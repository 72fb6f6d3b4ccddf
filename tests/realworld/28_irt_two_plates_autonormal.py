# Item response theory (2PL): students and questions as two crossing plates,
# abilities and difficulties as latents, discrimination positive.
import torch
import pyro
import pyro.distributions as dist
from pyro.infer.autoguide import AutoNormal

S, Q = 20, 10


def model(responses):
    mu_b = pyro.sample("mu_difficulty", dist.Normal(0.0, 1.0))
    with pyro.plate("students", S, dim=-2):
        ability = pyro.sample("ability", dist.Normal(0.0, 1.0))
    with pyro.plate("questions", Q, dim=-1):
        difficulty = pyro.sample("difficulty", dist.Normal(mu_b, 1.0))
        discrimination = pyro.sample("discrimination", dist.LogNormal(0.0, 0.5))
    with pyro.plate("students_", S, dim=-2), pyro.plate("questions_", Q, dim=-1):
        logits = discrimination * (ability - difficulty)
        pyro.sample("correct", dist.Bernoulli(logits=logits), obs=responses)


guide = AutoNormal(model)
