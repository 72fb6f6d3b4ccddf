"""Hierarchical mixed-effects hidden Markov model (animal movement), model side.
svic benchmark `mhmm`; entry `model(config)`; `main` builds the ELBO the pair
trains with (TraceEnum_ELBO, which sums y_{} out).

`config` is a dict of data and sizes (N_state states, N_c groups, N_s
individuals per group, N_t time steps, masks, observations, MISSING marker).
Random effects eps_g (per group) and eps_i (per individual) are added to the
transition logits gamma; the hidden state y_{} is a Categorical Markov chain
(enumerated in parallel; the previous state indexes the transition matrix).
Each step observes
  step_zi_{}  / step_{}   zero-inflated step length: Categorical flag, then a
                           MaskedMixture of Gamma and Delta(MISSING)
  angle_{}                 turning angle, VonMises
  omega_zi_{} / omega_{}  zero-inflated dive activity: Categorical flag, then a
                           MaskedMixture of Beta and Delta(MISSING)
with per-state likelihood params indexed by y.

Expected smoothness (oracle): eps_g, eps_i diff; y_{} none (discrete); all
eight likelihood params diff (positive-constrained where they are Gamma,
VonMises or Beta parameters).
"""
import torch
import pyro
import pyro.distributions as dist
from torch.distributions import constraints
from pyro.ops.indexing import Vindex


def model(config):
    """Hierarchical mixed-effects hidden Markov model."""
    MISSING = config["MISSING"]
    N_v = config["sizes"]["random"]
    N_state = config["sizes"]["state"]

    # Prior of the group-level random effects.
    loc_g = torch.zeros((N_state ** 2,))
    scale_g = torch.ones((N_state ** 2,))

    # Prior of the individual-level random effects.
    N_c = config["sizes"]["group"]
    loc_i = torch.zeros((N_c, N_state ** 2,))
    scale_i = torch.ones((N_c, N_state ** 2,))

    # Observation 1: step length (zero-inflated Gamma).
    step_zi_param = pyro.param("step_zi_param", torch.ones((N_state, 2)))
    step_concentration = pyro.param("step_param_concentration",
                                    torch.abs(torch.randn((N_state,))),
                                    constraint=constraints.positive)
    step_rate = pyro.param("step_param_rate",
                           torch.abs(torch.randn((N_state,))),
                           constraint=constraints.positive)

    # Observation 2: turning angle (VonMises).
    angle_concentration = pyro.param("angle_param_concentration",
                                     torch.abs(torch.randn((N_state,))),
                                     constraint=constraints.positive)
    angle_loc = pyro.param("angle_param_loc", torch.abs(torch.randn((N_state,))))

    # Observation 3: dive activity (zero-inflated Beta).
    omega_zi_param = pyro.param("omega_zi_param", torch.ones((N_state, 2)))
    omega_concentration0 = pyro.param("omega_param_concentration0",
                                      torch.abs(torch.randn((N_state,))),
                                      constraint=constraints.positive)
    omega_concentration1 = pyro.param("omega_param_concentration1",
                                      torch.abs(torch.randn((N_state,))),
                                      constraint=constraints.positive)

    # Transition logits start uniform.
    gamma = torch.zeros((N_state ** 2,))

    N_c = config["sizes"]["group"]
    with pyro.plate("group", N_c, dim=-1):
        eps_g = pyro.sample("eps_g", dist.Normal(loc_g, scale_g).to_event(1))
        gamma = gamma + eps_g

        N_s = config["sizes"]["individual"]
        with pyro.plate("individual", N_s, dim=-2), pyro.poutine.mask(mask=config["individual"]["mask"]):
            eps_i = pyro.sample("eps_i", dist.Normal(loc_i, scale_i).to_event(1))
            gamma = gamma + eps_i

            y = torch.Tensor.long(torch.tensor(0))
            N_t = config["sizes"]["timesteps"]
            for t in pyro.markov(range(N_t)):
                with pyro.poutine.mask(mask=config["timestep"]["mask"][..., t]):
                    # Batch of N_state x N_state transition matrices; row y (Vindex broadcasts the
                    # enumerated y with the batch dims).
                    gamma_t = gamma
                    gamma_t = torch.Tensor.reshape(gamma_t,
                                                   tuple(gamma_t.shape[:-1]) + (N_state, N_state))
                    gamma_y = Vindex(gamma_t)[..., y, :]
                    y = pyro.sample("y_{}".format(t), dist.Categorical(logits=gamma_y),
                                    infer={"enumerate": "parallel"})

                    # Step length: zero-inflation flag, then Gamma or the MISSING marker.
                    step_zi = Vindex(step_zi_param)[..., y, :]
                    step_zi_mask = config["observations"]["step"][..., t] == MISSING
                    pyro.sample("step_zi_{}".format(t),
                                dist.Categorical(logits=step_zi),
                                obs=torch.Tensor.long(step_zi_mask))
                    pyro.sample("step_{}".format(t),
                                dist.MaskedMixture(step_zi_mask,
                                                   dist.Gamma(Vindex(step_concentration)[..., y],
                                                              Vindex(step_rate)[..., y]),
                                                   dist.Delta(torch.tensor(MISSING))),
                                obs=config["observations"]["step"][..., t])

                    # Turning angle.
                    pyro.sample("angle_{}".format(t),
                                dist.VonMises(Vindex(angle_loc)[..., y], Vindex(angle_concentration)[..., y]),
                                obs=config["observations"]["angle"][..., t])

                    # Dive activity: zero-inflation flag, then Beta or the MISSING marker.
                    omega_zi = Vindex(omega_zi_param)[..., y, :]
                    omega_zi_mask = config["observations"]["omega"][..., t] == MISSING
                    pyro.sample("omega_zi_{}".format(t),
                                dist.Categorical(logits=omega_zi),
                                obs=torch.Tensor.long(omega_zi_mask))
                    pyro.sample("omega_{}".format(t),
                                dist.MaskedMixture(omega_zi_mask,
                                                   dist.Beta(Vindex(omega_concentration1)[..., y],
                                                             Vindex(omega_concentration0)[..., y]),
                                                   dist.Delta(torch.tensor(MISSING))),
                                obs=config["observations"]["omega"][..., t])


def main(config):
    """How the artifact trains the pair (its training script): TraceEnum_ELBO sums y_{} out."""
    elbo = pyro.infer.TraceEnum_ELBO(max_plate_nesting=2)
    return elbo
