"""svic support-match corpus: e_dmm, guide side.

Oracle entry "DMM example" (expected: match).
Written from the artifact's tests/pyro_examples/dmm_guide.py (pyro.ai deep Markov model).
"""
import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
import pyro.poutine as poutine

# combiner
c_lin_z_to_hidden = nn.Linear(100, 600)
c_lin_hidden_to_loc = nn.Linear(600, 100)
c_lin_hidden_to_scale = nn.Linear(600, 100)
c_tanh = nn.Tanh()
c_softplus = nn.Softplus()
rnn = nn.RNN(input_size=88, hidden_size=600, nonlinearity="relu",
             batch_first=True, bidirectional=False, num_layers=1, dropout=0.0)

z_q_0 = nn.Parameter(torch.zeros(100))
h_0 = nn.Parameter(torch.zeros(1, 1, 600))


def guide(mini_batch, mini_batch_reversed, mini_batch_mask, mini_batch_seq_lengths, annealing_factor):
    pyro.module("c_lin_z_to_hidden", c_lin_z_to_hidden)
    pyro.module("c_lin_hidden_to_loc", c_lin_hidden_to_loc)
    pyro.module("c_lin_hidden_to_scale", c_lin_hidden_to_scale)
    pyro.module("rnn", rnn)

    mini_batch = torch.reshape(mini_batch, [20, 160, 88])
    mini_batch_reversed = torch.reshape(mini_batch_reversed, [20, 160, 88])
    mini_batch_mask = torch.reshape(mini_batch_mask, [20, 160])
    mini_batch_seq_lengths = torch.reshape(mini_batch_seq_lengths, [20])

    h_0_contig = torch.Tensor.expand(h_0, [1, 20, 600])
    rnn_output, _ = rnn(mini_batch_reversed, h_0_contig)

    # pad_and_reverse / reverse_sequences, inlined
    reversed_mini_batch = torch.zeros(20, 160, 600)
    for b in range(20):
        T = mini_batch_seq_lengths[b]
        time_slice = torch.arange(T - 1, -1, -1)
        reversed_sequence = torch.index_select(rnn_output[b, :, :], 0, time_slice)
        reversed_mini_batch[b, 0:T, :] = reversed_sequence
    rnn_output = reversed_mini_batch

    z_prev = torch.Tensor.expand(z_q_0, [20, 100])
    with pyro.plate("z_minibatch", 20):
        for t in range(160):
            h_rnn = rnn_output[:, t, :]
            h_combined = 0.5 * (c_tanh(c_lin_z_to_hidden(z_prev)) + h_rnn)
            z_loc = c_lin_hidden_to_loc(h_combined)
            z_scale = c_softplus(c_lin_hidden_to_scale(h_combined))
            with poutine.scale(scale=annealing_factor):
                z_t = pyro.sample("z_{}".format(t),
                                  dist.Normal(z_loc, z_scale)
                                  .mask(mini_batch_mask[:, t:t + 1])
                                  .to_event(1))
            z_prev = z_t
