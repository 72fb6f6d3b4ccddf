# torch.einsum on params, scored by a factor: value and gradient are checked against torch itself (test_einsum.py).
import torch
import pyro


def model():
    a = pyro.param("a", torch.tensor([[0.5, -1.2, 0.3], [2.0, 0.1, -0.7]]))
    b = pyro.param("b", torch.tensor([[[0.2, 0.4], [-0.3, 1.1], [0.9, -0.5]], [[1.3, 0.0], [0.6, -0.8], [-0.2, 0.7]]]))
    v = pyro.param("v", torch.tensor([1.5, -0.4, 0.8]))
    batched = torch.einsum("nk,nky->ny", a, b)  # Pyro-style batched contraction
    outer = torch.einsum("i,j", v, v)  # implicit output: the letters used once, alphabetically
    trace = torch.einsum("ij,jk->", a, b[0])  # a full contraction
    listed = torch.einsum("nk->kn", [a])  # the older list form
    total = (batched ** 2).sum() + (outer * torch.arange(9.).reshape(3, 3)).sum() + trace ** 2
    pyro.factor("f", total + (listed * torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]])).sum())


def guide():
    pass
