# Networks of 09_sibling_module_vae.py, kept in a sibling module as published
# projects do (imported with `from .vae_nets import ...`).
import torch
import torch.nn as nn

HIDDEN = 200


class Encoder(nn.Module):
    def __init__(self, z_dim, hidden=HIDDEN):
        super().__init__()
        self.fc = nn.Linear(784, hidden)
        self.loc = nn.Linear(hidden, z_dim)
        self.scale = nn.Linear(hidden, z_dim)

    def forward(self, x):
        h = torch.relu(self.fc(x))
        return self.loc(h), torch.exp(self.scale(h))


class Decoder(nn.Module):
    def __init__(self, z_dim, hidden=HIDDEN):
        super().__init__()
        self.fc = nn.Linear(z_dim, hidden)
        self.out = nn.Linear(hidden, 784)

    def forward(self, z):
        return torch.sigmoid(self.out(torch.tanh(self.fc(z))))


def train(svi, loader):
    return sum(svi.step(x) for x, _ in loader)
