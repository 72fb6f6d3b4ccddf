#!/usr/bin/env python3
"""Partial evaluation of data-only values (issue 10, dmm): with --data given, a value computed from the data and
constants alone may fix a shape or a bound at compile time (programs/ragged.py: per-sequence lengths give slice
bounds and torch.arange sizes); the compiled program records those data values and refuses other data at entry,
with an error naming the argument and the place that depends on it. A bound that depends on a latent or a param
is never fixed (a located compile error, as before).

Usage: test_fixed_data.py SVIC_BINARY
"""
import json
import math
import os
import shutil
import subprocess
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/ragged.py"
X = [[1.0, 2.0, 3.0, 4.0], [0.5, 0.1, 0.0, 0.0], [2.0, 2.0, 2.0, 0.0]]


class FixedData(S.TempDirTest):
    def data(self, name, lengths):
        path = self.path(name)
        with open(path, "w") as f:
            json.dump({"x": X, "lengths": lengths}, f)
        return path

    def test_lengths_fix_shapes_and_the_elbo_is_exact(self):
        # At the guide's mean (m = 0, loc = 0) with z ~ N(0, 1): E[ELBO] = sum_b E log N(rev_b; z[:T_b], 1)
        # - KL(q || p) = sum over observed entries of (-log(2 pi)/2 - (y^2 + 1)/2) (q = p, KL = 0).
        lengths = [4, 2, 3]
        d = self.data("d1.json", lengths)
        report, _ = S.grad([PROG, "--data", d], 20000, seed=2)
        expect = 0.0
        for b, t in enumerate(lengths):
            for y in reversed(X[b][:t]):
                expect += -0.5 * math.log(2 * math.pi) - (y * y + 1) / 2
        e = report["elbo"]
        self.assertLess(abs(e["mean"] - expect), 4 * e["stderr"] + 1e-9, (e, expect))

    def test_latent_or_param_bounds_are_not_fixed(self):
        d = self.data("d2.json", [4, 2, 3])
        for fn, guide in (("latent_bound", "latent_guide"), ("param_bound", "empty_guide")):
            r = S.run("grad", PROG, "--model-fn", fn, "--guide-fn", guide, "--data", d, "--samples", 2)
            self.assertEqual(r.returncode, 2, S.describe(r))
            self.assertIn("ragged.py:", r.stderr)
            self.assertRegex(r.stderr, "known at compile time|of a run-time value", S.describe(r))

    def test_without_data_it_says_what_is_missing(self):
        r = S.run("grad", PROG, "--samples", 2)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn(": error: ", r.stderr)

    @unittest.skipUnless(shutil.which("cc"), "no C compiler")
    def test_compiled_program_checks_the_fixed_data_at_entry(self):
        d1, d2 = self.data("e1.json", [4, 2, 3]), self.data("e2.json", [4, 3, 3])
        exe = S.build_aot([PROG], d1, self.tmp.name, "ragged")
        ok = subprocess.run([exe, d1, "1", "10", "1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        desc = json.loads(ok.stdout.split("descriptor\n", 1)[1])
        fixed = {i["name"]: i.get("fixed") for i in desc["inputs"]}
        self.assertEqual(fixed, {"x": None, "lengths": [4.0, 2.0, 3.0]})  # x is only read at run time
        bad = subprocess.run([exe, d2, "1", "10", "1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(bad.returncode, 1, bad.stdout)
        self.assertIn("data argument 'lengths' differs from the data the program was compiled for", bad.stderr)
        self.assertIn("ragged.py:", bad.stderr)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
