# torch.cumprod / torch.cumsum / F.pad on params, scored by a factor: the gradient is checked against
# finite differences of the same function written in Python (test_scan_ops.py).
import torch
import torch.nn.functional as F
import pyro


def model():
    w = pyro.param("w", torch.tensor([0.9, -1.3, 0.0, 2.1, 0.7]))
    m = pyro.param("m", torch.tensor([[0.5, -0.2, 1.1], [0.3, 0.8, -0.6]]))
    c = F.pad(torch.cumprod(w, -1), (1, 0), value=1.0)
    s = F.pad(torch.cumsum(m, 0), (2, 1, 1, 0), value=0.5)
    pyro.factor("f", (c * torch.tensor([1.0, 2.0, -1.0, 0.5, 3.0, -2.0])).sum() + (s * s * s).sum())


def guide():
    pass
