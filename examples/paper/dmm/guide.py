"""Deep Markov model (polyphonic music), guide side.  svic benchmark `dmm`;
entry `main(mini_batch, mini_batch_reversed, mini_batch_mask, mini_batch_seq_lengths,
annealing_factor=1.0)`.

An RNN with relu nonlinearity reads the time-reversed sequences; its outputs are
reversed back per sequence (a loop over the 20 sequences with torch.arange,
index_select and a slice store), then a combiner
  h = 0.5 * (tanh(L(z_prev)) + h_rnn[:, t, :]),  loc = L(h),  scale = softplus(L(h))
gives the Normal of z_{} at every step.

Expected smoothness (oracle): z_{} diff; c_lin_z_to_hidden, c_lin_hidden_to_loc,
c_lin_hidden_to_scale diff; rnn lips (nn.RNN(nonlinearity='relu')).
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist

# Combiner q(z_t | z_{t-1}, h_t).
c_lin_z_to_hidden = nn.Linear(100, 600)
c_lin_hidden_to_loc = nn.Linear(600, 100)
c_lin_hidden_to_scale = nn.Linear(600, 100)
c_tanh = nn.Tanh()
c_softplus = nn.Softplus()

# RNN over the reversed sequences: input_size, hidden_size, num_layers, bias,
# batch_first, dropout, bidirectional.
rnn = nn.RNN(88, 600, 1, True, True, 0.0, False, nonlinearity='relu')

# Initial states (constants here: not registered with pyro.param).
z_q_0 = nn.Parameter(torch.zeros(100))
h_0 = nn.Parameter(torch.zeros(1, 1, 600))


def main(mini_batch, mini_batch_reversed, mini_batch_mask, mini_batch_seq_lengths,
         annealing_factor=1.0):
    pyro.module("c_lin_z_to_hidden", c_lin_z_to_hidden)
    pyro.module("c_lin_hidden_to_loc", c_lin_hidden_to_loc)
    pyro.module("c_lin_hidden_to_scale", c_lin_hidden_to_scale)
    pyro.module("rnn", rnn)

    mini_batch = torch.reshape(mini_batch, [20, 160, 88])
    mini_batch_reversed = torch.reshape(mini_batch_reversed, [20, 160, 88])
    mini_batch_mask = torch.reshape(mini_batch_mask, [20, 160])
    mini_batch_seq_lengths = torch.reshape(mini_batch_seq_lengths, [20])

    # Registering the same module twice is harmless in Pyro (kept from the benchmark).
    pyro.module("rnn", rnn)

    h_0_contig = torch.Tensor.expand(h_0, [1, 20, 600])
    rnn_output, _ = rnn(mini_batch_reversed, h_0_contig)

    # Undo the time reversal, sequence by sequence (each has its own length).
    reversed_output = torch.zeros(20, 160, 600)
    for b in range(20):
        T = mini_batch_seq_lengths[b]
        time_slice = torch.arange(T - 1, -1, -1)
        reversed_sequence = torch.index_select(rnn_output[b, :, :], 0, time_slice)
        reversed_output[b, 0:T, :] = reversed_sequence
    rnn_output = reversed_output

    z_prev = torch.Tensor.expand(z_q_0, [20, 100])

    with pyro.plate("z_minibatch", 20):
        for t in range(160):
            h_rnn = rnn_output[:, t, :]
            h_combined = 0.5 * (c_tanh(c_lin_z_to_hidden(z_prev)) + h_rnn)
            z_loc = c_lin_hidden_to_loc(h_combined)
            z_scale = c_softplus(c_lin_hidden_to_scale(h_combined))

            with pyro.poutine.scale(scale=annealing_factor):
                z_t = pyro.sample("z_{}".format(t),
                                  dist.Normal(z_loc, z_scale)
                                  .mask(mini_batch_mask[:, t:t + 1])
                                  .to_event(1))

            z_prev = z_t
