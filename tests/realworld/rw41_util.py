"""Helpers shared by the training script (imported as `import rw41_util`)."""
import logging

import numpy as np
import torch
import torch.nn as nn

LOG = logging.getLogger(__name__)
HIDDEN = 16
PRIOR_SCALE = np.sqrt(2.0)


class Encoder(nn.Module):
    def __init__(self, data_dim, z_dim):
        super().__init__()
        self.fc = nn.Linear(data_dim, HIDDEN)
        self.loc = nn.Linear(HIDDEN, z_dim)
        self.scale = nn.Linear(HIDDEN, z_dim)

    def forward(self, x):
        h = torch.tanh(self.fc(x))
        return self.loc(h), torch.exp(self.scale(h))


def standardise(x):
    return (x - x.mean()) / (x.std() + 1e-6)


def setup_logging(path):
    logging.basicConfig(filename=path)
