"""Data for the dmm benchmark in the shapes of examples/paper/dmm: 20 sequences of lengths drawn in 40..160,
88 notes each Bernoulli(0.1) inside its sequence (0 after it), the mask, the lengths, and the per-sequence time
reversal the guide's RNN reads. Usage: dmm_data.py OUT.npz (numpy seed 0; needs numpy)."""
import sys

import numpy as np


def main():
    rng = np.random.default_rng(0)
    lengths = rng.integers(40, 161, size=20)
    mask = (np.arange(160)[None, :] < lengths[:, None]).astype(float)
    notes = (rng.random((20, 160, 88)) < 0.1).astype(float) * mask[:, :, None]
    reversed_notes = np.zeros_like(notes)
    for b, t in enumerate(lengths):
        reversed_notes[b, :t] = notes[b, :t][::-1]
    np.savez(sys.argv[1], mini_batch=notes, mini_batch_reversed=reversed_notes, mini_batch_mask=mask,
             mini_batch_seq_lengths=lengths.astype(float), annealing_factor=np.array(1.0))


if __name__ == "__main__":
    main()
