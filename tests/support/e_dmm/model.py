"""svic support-match corpus: e_dmm, model side.

Oracle entry "DMM example" (expected: match).
Written from the artifact's tests/pyro_examples/dmm_model.py (pyro.ai deep Markov model).
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
import pyro.poutine as poutine

# emitter
e_lin_z_to_hidden = nn.Linear(100, 100)
e_lin_hidden_to_hidden = nn.Linear(100, 100)
e_lin_hidden_to_input = nn.Linear(100, 88)
e_relu = nn.ReLU()

# gated transition
t_lin_gate_z_to_hidden = nn.Linear(100, 200)
t_lin_gate_hidden_to_z = nn.Linear(200, 100)
t_lin_proposed_mean_z_to_hidden = nn.Linear(100, 200)
t_lin_proposed_mean_hidden_to_z = nn.Linear(200, 100)
t_lin_sig = nn.Linear(100, 100)
t_lin_z_to_loc = nn.Linear(100, 100)
t_lin_z_to_loc.weight.data = torch.eye(100)
t_lin_z_to_loc.bias.data = torch.zeros(100)
t_relu = nn.ReLU()
t_softplus = nn.Softplus()

z_0 = nn.Parameter(torch.zeros(100))


def model(mini_batch, mini_batch_reversed, mini_batch_mask, mini_batch_seq_lengths, annealing_factor):
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
            _gate = t_relu(t_lin_gate_z_to_hidden(z_prev))
            gate = torch.sigmoid(t_lin_gate_hidden_to_z(_gate))
            _proposed_mean = t_relu(t_lin_proposed_mean_z_to_hidden(z_prev))
            proposed_mean = t_lin_proposed_mean_hidden_to_z(_proposed_mean)
            z_loc = (1 - gate) * t_lin_z_to_loc(z_prev) + gate * proposed_mean
            z_scale = t_softplus(t_lin_sig(t_relu(proposed_mean)))
            with poutine.scale(scale=annealing_factor):
                z_t = pyro.sample("z_{}".format(t),
                                  dist.Normal(z_loc, z_scale)
                                  .mask(mini_batch_mask[:, t:t + 1])
                                  .to_event(1))
            h1 = e_relu(e_lin_z_to_hidden(z_t))
            h2 = e_relu(e_lin_hidden_to_hidden(h1))
            emission_probs_t = torch.sigmoid(e_lin_hidden_to_input(h2))
            pyro.sample("obs_x_{}".format(t),
                        dist.Bernoulli(emission_probs_t)
                        .mask(mini_batch_mask[:, t:t + 1])
                        .to_event(1),
                        obs=mini_batch[:, t, :])
            z_prev = z_t
