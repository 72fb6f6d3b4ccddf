#!/usr/bin/env python3
"""torch.einsum in the estimator compiler: the value and the gradient of a factor built from four equations (a
batched contraction, an implicit outer product, a full contraction, a transpose in the list form) equal torch's
own einsum and autograd on the same params.

Usage: test_einsum.py SVIC_BINARY
"""
import sys
import unittest

import svic_est as S

PROGRAM = "tests/estimator/programs/einsum.py"
# The program's factor in plain torch, from the same initial values.
REFERENCE = """
import json, torch
a = torch.tensor([[0.5, -1.2, 0.3], [2.0, 0.1, -0.7]], dtype=torch.float64, requires_grad=True)
b = torch.tensor([[[0.2, 0.4], [-0.3, 1.1], [0.9, -0.5]], [[1.3, 0.0], [0.6, -0.8], [-0.2, 0.7]]],
                 dtype=torch.float64, requires_grad=True)
v = torch.tensor([1.5, -0.4, 0.8], dtype=torch.float64, requires_grad=True)
total = ((torch.einsum("nk,nky->ny", a, b) ** 2).sum()
         + (torch.einsum("i,j", v, v) * torch.arange(9.).reshape(3, 3)).sum()
         + torch.einsum("ij,jk->", a, b[0]) ** 2
         + (torch.einsum("nk->kn", [a]) * torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.25]])).sum())
grads = torch.autograd.grad(total, [a, b, v])
print(json.dumps({"value": total.item(),
                  "gradient": {k: g.reshape(-1).tolist() for k, g in zip("abv", grads)}}))
"""


class Einsum(S.TempDirTest):
    def test_value_and_gradient_equal_torch(self):
        if not S.have_torch():
            self.skipTest("no torch")
        want = S.torch_reference(REFERENCE, None)
        out, _ = S.grad([PROGRAM], 1)
        self.assertAlmostEqual(out["elbo"]["mean"], want["value"], places=10)
        for name, g in want["gradient"].items():
            got = out["gradient"][name]["mean"]
            self.assertEqual(len(got), len(g), name)
            for i, (x, y) in enumerate(zip(got, g)):
                self.assertAlmostEqual(x, y, places=9, msg="%s[%d]" % (name, i))

    def test_bad_equations_are_located_errors(self):
        for eq, why in (("nk,nky->ny", "names 2 operands, but 1"), ("ii->i", "repeated"), ("...k->k", "ellipsis")):
            src = "import torch\nimport pyro\n\n\ndef model():\n    a = pyro.param('a', torch.ones(2, 2))\n" \
                  "    pyro.factor('f', torch.einsum('%s', a).sum())\n\n\ndef guide():\n    pass\n" % eq
            path = self.path("bad.py")
            with open(path, "w") as f:
                f.write(src)
            r = S.run("grad", path)
            self.assertEqual(r.returncode, 2, S.describe(r))
            self.assertIn("bad.py:7:", r.stderr)
            self.assertIn(why, r.stderr)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
