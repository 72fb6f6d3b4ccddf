#!/usr/bin/env python3
"""F.affine_grid and F.grid_sample in the estimator compiler (AIR's spatial transformer): the value and gradient of
a factor built from them (tests/estimator/programs/spatial_ops.py) equal the same function written here from
PyTorch 1.13's definition, its central finite differences at a point away from the pixel borders (where
grid_sample is not differentiable), and torch's own value and autograd gradient when torch is installed.

Usage: test_spatial_ops.py SVIC_BINARY
"""
import json
import math
import os
import subprocess
import sys
import unittest

import svic_est as S

PROGRAM = "tests/estimator/programs/spatial_ops.py"
THETA = [[[0.83, 0.21, 0.13], [-0.17, 0.71, -0.09]], [[1.37, -0.11, 0.41], [0.19, 1.23, -0.33]]]
IMG = [[[[0.5, -1.2, 0.3, 0.9, -0.4, 1.1], [0.2, 0.8, -0.7, 0.1, 1.4, -0.3], [-0.9, 0.6, 1.2, -0.5, 0.2, 0.7],
         [1.3, -0.2, 0.4, 0.8, -1.1, 0.05], [0.15, 0.95, -0.6, 0.35, 0.45, -0.8]]],
       [[[0.7, 0.2, -0.3, 1.0, 0.6, -0.9], [-0.4, 1.1, 0.5, -0.2, 0.3, 0.8], [0.9, -0.6, 0.25, 0.55, -1.3, 0.4],
         [0.1, 0.65, -0.85, 1.2, 0.75, -0.15], [-1.0, 0.3, 0.85, -0.45, 0.2, 0.6]]]]


def centre(i, n, align):
    return (-1.0 + 2.0 * i / (n - 1) if n > 1 else -1.0) if align else (2.0 * i + 1.0) / n - 1.0


def transform(theta, img, h_out, w_out, align):
    """affine_grid(theta, [N, 1, h_out, w_out]) then grid_sample(img, grid), bilinear with zero padding."""
    n, h_in, w_in = len(img), len(img[0][0]), len(img[0][0][0])
    out = []
    for b in range(n):
        t = theta[b]
        for i in range(h_out):
            for j in range(w_out):
                x, y = centre(j, w_out, align), centre(i, h_out, align)
                gx = t[0][0] * x + t[0][1] * y + t[0][2]
                gy = t[1][0] * x + t[1][1] * y + t[1][2]
                if align:
                    ix, iy = (gx + 1) / 2 * (w_in - 1), (gy + 1) / 2 * (h_in - 1)
                else:
                    ix, iy = ((gx + 1) * w_in - 1) / 2, ((gy + 1) * h_in - 1) / 2
                x0, y0 = math.floor(ix), math.floor(iy)
                v = 0.0
                for cx, cy, w in ((x0, y0, (x0 + 1 - ix) * (y0 + 1 - iy)), (x0 + 1, y0, (ix - x0) * (y0 + 1 - iy)),
                                  (x0, y0 + 1, (x0 + 1 - ix) * (iy - y0)), (x0 + 1, y0 + 1, (ix - x0) * (iy - y0))):
                    if 0 <= cx < w_in and 0 <= cy < h_in:
                        v += img[b][0][cy][cx] * w
                out.append(v)
    return out


def f(theta, img):
    out = transform(theta, img, 4, 3, False)
    out_ac = transform(theta, img, 3, 4, True)
    return sum(v ** 3 for v in out) + sum(k * v for k, v in enumerate(out_ac))


def flat(x):
    return [v for y in x for v in flat(y)] if isinstance(x, list) else [x]


def perturbed(x, k, h):
    """x (nested lists) with its k-th flat element moved by h."""
    count = [0]

    def go(y):
        if isinstance(y, list):
            return [go(z) for z in y]
        count[0] += 1
        return y + h if count[0] - 1 == k else y
    return go(x)


TORCH_SCRIPT = """
import json, sys, torch
import torch.nn.functional as F
theta, img = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in json.loads(sys.stdin.read()))
out = F.grid_sample(img, F.affine_grid(theta, [2, 1, 4, 3]))
out_ac = F.grid_sample(img, F.affine_grid(theta, [2, 1, 3, 4], align_corners=True), align_corners=True)
v = (out ** 3).sum() + (out_ac * torch.arange(24.0, dtype=torch.float64).view(2, 1, 3, 4)).sum()
v.backward()
print(json.dumps([v.item(), theta.grad.flatten().tolist(), img.grad.flatten().tolist()]))
"""


class SpatialOps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out, _ = S.grad([PROGRAM], 1)

    def test_value_and_finite_differences(self):
        self.assertAlmostEqual(self.out["elbo"]["mean"], f(THETA, IMG), places=10)
        h = 1e-6
        for name, x, at in (("theta", THETA, lambda v: f(v, IMG)), ("img", IMG, lambda v: f(THETA, v))):
            g = self.out["gradient"][name]["mean"]
            self.assertEqual(len(g), len(flat(x)))
            for k in range(len(g)):
                fd = (at(perturbed(x, k, h)) - at(perturbed(x, k, -h))) / (2 * h)
                self.assertAlmostEqual(g[k], fd, places=5, msg="%s[%d]" % (name, k))

    def test_some_samples_fall_outside_and_read_padding(self):
        # Guards the test's own coverage: the padding branch is exercised.
        img_ones = [[[[1.0] * 6 for _ in range(5)]] for _ in range(2)]
        self.assertTrue(any(abs(v - 1.0) > 1e-9 for v in transform(THETA, img_ones, 4, 3, False)))

    @unittest.skipUnless(os.path.exists("/usr/bin/python3"), "no system python with torch")
    def test_same_as_torch_autograd(self):
        r = subprocess.run(["/usr/bin/python3", "-c", TORCH_SCRIPT], input=json.dumps([THETA, IMG]),
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0 and "No module named 'torch'" in r.stderr:
            self.skipTest("torch is not installed")
        self.assertEqual(r.returncode, 0, r.stderr)
        value, g_theta, g_img = json.loads(r.stdout)
        self.assertAlmostEqual(self.out["elbo"]["mean"], value, places=10)
        for name, want in (("theta", g_theta), ("img", g_img)):
            for k, (a, b) in enumerate(zip(self.out["gradient"][name]["mean"], want)):
                self.assertAlmostEqual(a, b, places=9, msg="%s[%d]" % (name, k))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
