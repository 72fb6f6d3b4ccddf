"""Deep Markov model (polyphonic music), model side.  svic benchmark `dmm`;
entry `main(mini_batch, mini_batch_reversed, mini_batch_mask, mini_batch_seq_lengths,
annealing_factor=1.0)`.

A minibatch of 20 sequences, 160 time steps, 88 notes. For t = 0..159 the
latent z_{} ([20, 100]) follows a gated transition from z_{t-1}:
  gate          = sigmoid(L(relu(L(z_prev))))
  proposed_mean = L(relu(L(z_prev)))
  loc           = (1 - gate) * L(z_prev) + gate * proposed_mean
  scale         = softplus(L(relu(proposed_mean)))
and the notes obs_x_{} are Bernoulli(sigmoid(L(relu(L(relu(L(z))))))).
Sites are masked by the sequence mask and scaled by the KL-annealing factor.

Expected smoothness (oracle): z_{} lips (relu on z); params feeding a relu
(e_lin_z_to_hidden, e_lin_hidden_to_hidden, t_lin_gate_z_to_hidden,
t_lin_proposed_mean_z_to_hidden, t_lin_proposed_mean_hidden_to_z) lips; the
others (e_lin_hidden_to_input, t_lin_gate_hidden_to_z, t_lin_sig,
t_lin_z_to_loc) diff.
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

# Emitter p(x_t | z_t).
e_lin_z_to_hidden = nn.Linear(100, 100)
e_lin_hidden_to_hidden = nn.Linear(100, 100)
e_lin_hidden_to_input = nn.Linear(100, 88)
e_relu = nn.ReLU()

# Gated transition p(z_t | z_{t-1}).
t_lin_gate_z_to_hidden = nn.Linear(100, 200)
t_lin_gate_hidden_to_z = nn.Linear(200, 100)
t_lin_proposed_mean_z_to_hidden = nn.Linear(100, 200)
t_lin_proposed_mean_hidden_to_z = nn.Linear(200, 100)
t_lin_sig = nn.Linear(100, 100)
t_lin_z_to_loc = nn.Linear(100, 100)
# Start the linear part of the transition at the identity.
t_lin_z_to_loc.weight.data = torch.eye(100)
t_lin_z_to_loc.bias.data = torch.zeros(100)
t_relu = nn.ReLU()
t_softplus = nn.Softplus()

# Initial latent state (a constant here: not registered with pyro.param).
z_0 = nn.Parameter(torch.zeros(100))


def main(mini_batch, mini_batch_reversed, mini_batch_mask, mini_batch_seq_lengths,
         annealing_factor=1.0):
    pyro.module("e_lin_z_to_hidden", e_lin_z_to_hidden)
    pyro.module("e_lin_hidden_to_hidden", e_lin_hidden_to_hidden)
    pyro.module("e_lin_hidden_to_input", e_lin_hidden_to_input)
    pyro.module("t_lin_gate_z_to_hidden", t_lin_gate_z_to_hidden)
    pyro.module("t_lin_gate_hidden_to_z", t_lin_gate_hidden_to_z)
    pyro.module("t_lin_proposed_mean_z_to_hidden", t_lin_proposed_mean_z_to_hidden)
    pyro.module("t_lin_proposed_mean_hidden_to_z", t_lin_proposed_mean_hidden_to_z)
    pyro.module("t_lin_sig", t_lin_sig)
    pyro.module("t_lin_z_to_loc", t_lin_z_to_loc)

    mini_batch = torch.reshape(mini_batch, [20, 160, 88])
    mini_batch_reversed = torch.reshape(mini_batch_reversed, [20, 160, 88])
    mini_batch_mask = torch.reshape(mini_batch_mask, [20, 160])
    mini_batch_seq_lengths = torch.reshape(mini_batch_seq_lengths, [20])

    z_prev = torch.Tensor.expand(z_0, [20, 100])

    with pyro.plate("z_minibatch", 20):
        for t in range(160):
            # Gated transition.
            gate_hidden = t_relu(t_lin_gate_z_to_hidden(z_prev))
            gate = torch.sigmoid(t_lin_gate_hidden_to_z(gate_hidden))
            proposed_hidden = t_relu(t_lin_proposed_mean_z_to_hidden(z_prev))
            proposed_mean = t_lin_proposed_mean_hidden_to_z(proposed_hidden)
            z_loc = (1 - gate) * t_lin_z_to_loc(z_prev) + gate * proposed_mean
            z_scale = t_softplus(t_lin_sig(t_relu(proposed_mean)))

            with pyro.poutine.scale(scale=annealing_factor):
                z_t = pyro.sample("z_{}".format(t),
                                  dist.Normal(z_loc, z_scale)
                                  .mask(mini_batch_mask[:, t:t + 1])
                                  .to_event(1))

            # Emitter.
            h1 = e_relu(e_lin_z_to_hidden(z_t))
            h2 = e_relu(e_lin_hidden_to_hidden(h1))
            emission_probs = torch.sigmoid(e_lin_hidden_to_input(h2))
            pyro.sample("obs_x_{}".format(t),
                        dist.Bernoulli(emission_probs)
                        .mask(mini_batch_mask[:, t:t + 1])
                        .to_event(1),
                        obs=mini_batch[:, t, :])

            z_prev = z_t
