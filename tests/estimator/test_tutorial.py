#!/usr/bin/env python3
"""The tutorial models (examples/tutorial/*.py) train with `svic run --steps 300` on the data in
tests/estimator/data/ to a finite ELBO whose last-50-step mean beats the first-50-step mean (from --trace);
support_bug.py is refused with a message that names the support mismatch on `sigma`.

Usage: test_tutorial.py SVIC_BINARY
"""
import glob
import math
import os
import re
import sys
import tempfile
import unittest

import svic_est as S

DATA = "tests/estimator/data"
STEPS = 300
# model -> (data file or None, extra flags). Several samples per step keep the 50-step means well apart
# from their noise; the learning rates are the ones the tutorials would use.
MODELS = {
    "branching": (None, ["--samples", 100, "--lr", 0.05]),
    "coin": ("coin.json", ["--samples", 10, "--lr", 0.05]),
    "linear_regression": ("linear_regression.csv", ["--samples", 4, "--lr", 0.05]),
    "mixture": ("mixture.json", ["--samples", 4, "--lr", 0.05]),
    "relu_net": ("relu_net.csv", ["--samples", 4, "--lr", 0.01]),
    "tensor_branch": ("../../../examples/data/tensor_branch.json", ["--samples", 10, "--lr", 0.05]),
}


class Tutorial(unittest.TestCase):
    def test_every_tutorial_model_is_covered(self):
        found = {os.path.basename(p)[:-3] for p in glob.glob("examples/tutorial/*.py")}
        self.assertEqual(found - {"support_bug"}, set(MODELS))

    def train(self, name):
        data, extra = MODELS[name]
        with tempfile.TemporaryDirectory() as tmp:
            trace = os.path.join(tmp, "trace.csv")
            args = ["run", "examples/tutorial/%s.py" % name, "--steps", STEPS, "--seed", 1, "--trace", trace,
                    *extra]
            if data:
                args += ["--data", os.path.join(DATA, data)]
            r = S.run(*args, timeout=60)
            self.assertEqual(r.returncode, 0, S.describe(r))
            elbo = S.trace_column(S.read_trace(trace))
        final = S.final_json(r.stdout)
        self.assertEqual(len(elbo), STEPS)
        self.assertTrue(all(math.isfinite(e) for e in elbo), "non-finite ELBO in the trace of " + name)
        first, last = S.mean(elbo[:50]), S.mean(elbo[-50:])
        print("%s: ELBO first 50 %.4f, last 50 %.4f" % (name, first, last), file=sys.stderr)
        self.assertGreater(last, first, name)
        self.assertTrue(S.finite(final["elbo"]), final)

        def all_finite(v):
            if isinstance(v, list):
                return all(all_finite(x) for x in v)
            if isinstance(v, dict):
                return all(all_finite(x) for x in v.values())
            return S.finite(v)
        self.assertTrue(all_finite(final["params"]), final["params"])

    def test_branching(self):
        self.train("branching")

    def test_coin(self):
        self.train("coin")

    def test_linear_regression(self):
        self.train("linear_regression")

    def test_mixture(self):
        self.train("mixture")

    def test_relu_net(self):
        self.train("relu_net")

    def test_support_bug_refused(self):
        for cmd, extra in (("run", ["--steps", STEPS]), ("grad", ["--samples", 10])):
            r = S.run(cmd, "examples/tutorial/support_bug.py", "--data", os.path.join(DATA, "support_bug.csv"),
                      *extra, timeout=60)
            self.assertNotEqual(r.returncode, 0, S.describe(r))
            self.assertRegex(r.stderr, r"(?<![A-Za-z0-9_])sigma(?![A-Za-z0-9_])", S.describe(r))
            self.assertRegex(r.stderr, re.compile("support", re.I), S.describe(r))


@unittest.skipUnless(S.BR_REF, "../shared/benchmarks/br-reference not found")
class PaperBr(S.TempDirTest):
    """examples/paper/br (entry main(is_cont_africa, ruggedness, log_gdp), vector params) trains on the
    br-reference data; br_original (Uniform sigma in the model, Normal in the guide) is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = cls.path("br.csv")
        with open(os.path.join(S.BR_REF, "data.csv")) as f, open(cls.data, "w") as g:
            f.readline()
            g.write("is_cont_africa,ruggedness,log_gdp\n" + f.read())

    def test_br_trains(self):
        trace = self.path("trace.csv")
        r = S.run("run", "examples/paper/br/model.py", "--guide", "examples/paper/br/guide.py", "--data", self.data,
                  "--steps", 3000, "--lr", 0.01, "--seed", 1, "--trace", trace, timeout=60)
        self.assertEqual(r.returncode, 0, S.describe(r))
        elbo = S.trace_column(S.read_trace(trace))
        self.assertTrue(all(math.isfinite(e) for e in elbo))
        self.assertGreater(S.mean(elbo[-50:]), S.mean(elbo[:50]))
        params = S.final_json(r.stdout)["params"]
        self.assertEqual(len(params["weights_loc"]), 3)

    def test_br_original_refused(self):
        r = S.run("run", "examples/paper/br_original/model.py", "--guide", "examples/paper/br_original/guide.py",
                  "--data", self.data, "--steps", 10, timeout=60)
        self.assertNotEqual(r.returncode, 0, S.describe(r))
        self.assertRegex(r.stderr, r"(?<![A-Za-z0-9_])sigma(?![A-Za-z0-9_])", S.describe(r))
        self.assertRegex(r.stderr, re.compile("support", re.I), S.describe(r))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
