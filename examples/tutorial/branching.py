# branching.py -- an `if` on a random variable breaks differentiability.
#
# What it shows
#   The observation is scored under one of two distributions depending on the
#   sign of the latent z, so the model density jumps where z crosses 0. This is
#   the paper's running example (benchmark `spnor`) with other names.
#   Pyro's default Trace_ELBO reparameterises z anyway; its gradient then
#   ignores the jump and is biased. svic's estimator uses the score function
#   for z and stays unbiased.
#
# What `svic analyze examples/tutorial/branching.py` should report
#   smoothness  model: mu smooth; z mayBreak, witness: operation "if" at the
#               line of `if z > 0:` (for diff, lips and cont alike).
#               guide: z, mu, mu_loc, z_loc smooth.
#   support     mu, z: real / real -> match
#   reparam     selected: mu;  score: z
#   Pyro's default Trace_ELBO would reparameterise z as well, which biases
#   the gradient; svic's selection keeps z on the score estimator.
import torch
import pyro
import pyro.distributions as dist


def model():
    mu = pyro.sample("mu", dist.Normal(0., 5.))
    z = pyro.sample("z", dist.Normal(mu, 3.))
    if z > 0:
        pyro.sample("x", dist.Normal(1., 1.), obs=torch.tensor(0.))
    else:
        pyro.sample("x", dist.Normal(-2., 1.), obs=torch.tensor(0.))


def guide():
    mu_loc = pyro.param("mu_loc", torch.tensor(1.))
    z_loc = pyro.param("z_loc", torch.tensor(1.))
    pyro.sample("mu", dist.Normal(mu_loc, 1.))
    pyro.sample("z", dist.Normal(z_loc, 1.))
