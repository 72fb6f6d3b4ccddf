#!/usr/bin/env python3
"""Boolean-mask indexing (issue 10, cvae): a mask computed from the data alone selects (x[m], also after a full
slice and as bool * bool) and assigns (x[m] = v) once the data is given, and int(torch.max(...)) of data values is
a compile-time size; the ELBO and its gradient equal torch's (Debian's torch, float64), and a compiled program
refuses other data at entry. A mask from a latent, one
that does not fit, and a float tensor as an index are refused with a located error; without data the error names
the missing argument.

Usage: test_masked.py SVIC_BINARY
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/masked.py"
DATA = {"x": [[1, -1, 2, -1], [-1, -1, 0.5, 3], [0, 1, -1, 2]],
        "y": [[0, 0.3, 0, 1.2], [0.7, -0.4, 0, 0], [0, 0, 2.5, 0]]}

TORCH = r'''
import json, sys, torch
import torch.distributions as D
torch.set_default_dtype(torch.float64)
d = {k: torch.tensor(v) for k, v in json.loads(sys.argv[1]).items()}
x, y = d["x"], d["y"]
loc = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 1.0, 1.1, 1.2]], requires_grad=True)
scale = torch.tensor([1.0, 2.0, 0.5, 1.5], requires_grad=True)
m = x == -1
elbo = D.Normal(loc[m], scale.expand(3, 4)[m]).log_prob(y[m]).sum()
filled = x.clone()
filled[m] = loc[m]
elbo = elbo + D.Normal(filled, 1.0).log_prob(torch.zeros(3, 4)).sum()
both = m * (y > 0)
assert both.dtype == torch.bool
stack = torch.stack([loc, 2 * loc])
elbo = elbo + D.Normal(stack[:, both], 1.0).log_prob(torch.ones(2, 4)).sum()
n = int(torch.max(torch.sum(m.float(), -1)))
elbo = elbo + D.Normal(torch.zeros(n), scale[0:n]).log_prob(torch.arange(n) * 0.5).sum()
elbo.backward()
# svic's gradient is in the unconstrained values: d/d log(scale) = scale * d/d scale.
print(json.dumps({"elbo": elbo.item(), "loc": loc.grad.flatten().tolist(), "scale": (scale.grad * scale).tolist()}))
'''


class Masked(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = cls.path("d.json")
        with open(cls.data, "w") as f:
            json.dump(DATA, f)

    @unittest.skipUnless(S.have_torch(), "Debian's python3-torch is not installed")
    def test_elbo_and_gradient_equal_torch(self):
        want = S.torch_reference(TORCH, DATA)
        out, _ = S.grad([PROG, "--data", self.data], 1)
        self.assertAlmostEqual(out["elbo"]["mean"], want["elbo"], places=10)
        for name in ("loc", "scale"):
            got = out["gradient"][name]["mean"]
            self.assertEqual(len(got), len(want[name]), name)
            for g, w in zip(got, want[name]):
                self.assertAlmostEqual(g, w, places=10, msg=name)

    def test_refused_masks_say_where_and_why(self):
        cases = {"latent_mask": ("latent_guide", 35, "computed from a param or a latent"),
                 "mixed_mask": ("latent_guide", 40, "computed from 'x' and a param, a latent"),
                 "wrong_shape": ("guide", 48, r"the shape of the mask \[2, 4\] does not match the shape \[3, 4\]"),
                 "float_index": ("guide", 52, "not known to be an integer or bool tensor")}
        for fn, (guide, line, why) in cases.items():
            with self.subTest(fn):
                r = S.run("grad", PROG, "--model-fn", fn, "--guide-fn", guide, "--data", self.data, "--samples", 1)
                self.assertIn(r.returncode, (1, 2), S.describe(r))
                self.assertIn("masked.py:%d:" % line, r.stderr)
                self.assertRegex(r.stderr, why)

    @unittest.skipUnless(shutil.which("cc"), "no C compiler")
    def test_compiled_program_is_fixed_to_the_masks_data(self):
        exe = S.build_aot([PROG], self.data, self.tmp.name, "masked")
        ok = subprocess.run([exe, self.data, "1", "4", "1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        desc = json.loads(ok.stdout.split("descriptor\n", 1)[1])
        self.assertEqual({i["name"]: i.get("fixed") is not None for i in desc["inputs"]}, {"x": True, "y": True})
        other = self.path("other.json")
        with open(other, "w") as f:  # one more masked entry in x
            json.dump(dict(DATA, x=[[1, -1, 2, -1], [-1, -1, 0.5, 3], [0, 1, -1, -1]]), f)
        bad = subprocess.run([exe, other, "1", "4", "1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(bad.returncode, 1, bad.stdout)
        self.assertIn("data argument 'x' differs from the data the program was compiled for", bad.stderr)
        self.assertIn("masked.py:", bad.stderr)

    def test_without_data_the_argument_is_named(self):
        r = S.run("grad", PROG, "--samples", 1)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("missing data argument 'y'", r.stderr)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
