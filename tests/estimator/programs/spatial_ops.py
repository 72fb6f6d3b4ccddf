# F.affine_grid and F.grid_sample (bilinear, zero padding, align_corners False and True) on params, scored by a
# factor: value and gradient are checked against the same function in Python, its finite differences and, when
# torch is installed, torch's autograd (test_spatial_ops.py). Some samples fall outside the image.
import torch
import torch.nn.functional as F
import pyro


def model():
    theta = pyro.param("theta", torch.tensor([[[0.83, 0.21, 0.13], [-0.17, 0.71, -0.09]],
                                              [[1.37, -0.11, 0.41], [0.19, 1.23, -0.33]]]))
    img = pyro.param("img", torch.tensor([[[[0.5, -1.2, 0.3, 0.9, -0.4, 1.1],
                                            [0.2, 0.8, -0.7, 0.1, 1.4, -0.3],
                                            [-0.9, 0.6, 1.2, -0.5, 0.2, 0.7],
                                            [1.3, -0.2, 0.4, 0.8, -1.1, 0.05],
                                            [0.15, 0.95, -0.6, 0.35, 0.45, -0.8]]],
                                          [[[0.7, 0.2, -0.3, 1.0, 0.6, -0.9],
                                            [-0.4, 1.1, 0.5, -0.2, 0.3, 0.8],
                                            [0.9, -0.6, 0.25, 0.55, -1.3, 0.4],
                                            [0.1, 0.65, -0.85, 1.2, 0.75, -0.15],
                                            [-1.0, 0.3, 0.85, -0.45, 0.2, 0.6]]]]))
    grid = F.affine_grid(theta, [2, 1, 4, 3])
    out = F.grid_sample(img, grid)
    grid_ac = F.affine_grid(theta, [2, 1, 3, 4], align_corners=True)
    out_ac = F.grid_sample(img, grid_ac, align_corners=True)
    pyro.factor("f", (out * out * out).sum() + (out_ac * torch.arange(24.0).view(2, 1, 3, 4)).sum())


def guide():
    pass
