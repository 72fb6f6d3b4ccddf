#!/usr/bin/env python3
"""`svic simulate`: draws from the model's prior predictive, written as .json or .npz, that `svic run` trains on.

- every tutorial and paper model that compiles is simulated, then trained for a few steps on its own draws;
- the draws follow the prior predictive: coin's ten flips share one p ~ Beta(10, 10), so the variance of a draw's
  mean is E[p(1-p)]/10 + Var(p) = 0.0357, which independent flips (0.025) would miss;
- a site the estimator sums out (enumerated, TraceEnum_ELBO) is drawn;
- same seed, same file; --n stacks independent draws; covariates come from --data and are copied through;
- an argument the model reads other than through obs= and --data leaves out is a located error.

Usage: test_simulate.py SVIC_BINARY
"""
import json
import os
import sys
import unittest
import zipfile

import svic_est as S


class Simulate(S.TempDirTest):
    def simulate(self, model, out, *extra):
        r = S.run("simulate", model, "-o", self.path(out), *extra)
        self.assertEqual(r.returncode, 0, S.describe(r))
        return self.path(out)

    def train(self, model, data, *guide, steps=3):
        r = S.run("run", model, *guide, "--data", data, "--steps", steps, "--seed", 2)
        self.assertEqual(r.returncode, 0, S.describe(r))
        self.assertTrue(S.finite(S.final_json(r.stdout)["elbo"]), r.stdout[-500:])

    def test_tutorials_train_on_their_draws(self):
        for name in ("coin", "mixture"):
            data = self.simulate("examples/tutorial/%s.py" % name, name + ".json", "--seed", "3")
            self.train("examples/tutorial/%s.py" % name, data)

    def test_paper_models_train_on_their_draws(self):
        for name, arg, shape in (("vae", "x", (256, 784)), ("sgdef", "x", (320, 4096))):
            d = "examples/paper/%s/" % name
            data = self.simulate(d + "model.py", name + ".npz")
            with zipfile.ZipFile(data) as z:
                self.assertEqual(z.namelist(), [arg + ".npy"])
            self.train(d + "model.py", data, "--guide", d + "guide.py", steps=1)

    def test_enumerated_sites_are_drawn(self):
        # Under TraceEnum_ELBO the estimator sums y out; simulating draws it like any site, and Vindex reads the
        # drawn value.
        program = self.path("enum.py")
        with open(program, "w") as f:
            f.write("import torch\nimport pyro\nimport pyro.distributions as dist\n"
                    "from pyro.ops.indexing import Vindex\n\n\ndef model(x):\n"
                    "    locs = pyro.param('locs', torch.tensor([-5.0, 0.0, 5.0]))\n"
                    "    with pyro.plate('data', 6, dim=-1):\n"
                    "        y = pyro.sample('y', dist.Categorical(logits=torch.zeros(3)), "
                    "infer={'enumerate': 'parallel'})\n"
                    "        pyro.sample('x', dist.Normal(Vindex(locs)[..., y], 0.1), obs=x)\n\n\n"
                    "def guide(x):\n    pass\n\n\n"
                    "def main():\n    pyro.infer.TraceEnum_ELBO(max_plate_nesting=1)\n")
        data = self.simulate(program, "enum.json", "--seed", "4")
        with open(data) as f:
            xs = json.load(f)["x"]
        self.assertEqual(len(xs), 6)
        self.assertTrue(all(min(abs(x - m) for m in (-5, 0, 5)) < 1 for x in xs), xs)
        self.train(program, data)

    def test_coin_flips_share_their_p(self):
        out = self.simulate("examples/tutorial/coin.py", "coin_n.json", "--n", "4000", "--seed", "5")
        with open(out) as f:
            data = json.load(f)["data"]
        self.assertEqual((len(data), len(data[0])), (4000, 10))
        self.assertTrue(all(v in (0, 1) for row in data for v in row))
        means = [sum(row) / 10 for row in data]
        m = S.mean(means)
        var = S.mean([(x - m) ** 2 for x in means])
        self.assertLess(abs(m - 0.5), 4 * (0.0357 / 4000) ** 0.5)
        # Standard error of the variance is about 0.0357 * sqrt(2 / 4000) = 0.0008.
        self.assertLess(abs(var - 0.0357), 0.004, var)

    def test_same_seed_same_file_and_seeds_differ(self):
        a = self.simulate("examples/tutorial/mixture.py", "a.json", "--seed", "7")
        b = self.simulate("examples/tutorial/mixture.py", "b.json", "--seed", "7")
        c = self.simulate("examples/tutorial/mixture.py", "c.json", "--seed", "8")
        with open(a) as fa, open(b) as fb, open(c) as fc:
            ta, tb, tc = fa.read(), fb.read(), fc.read()
        self.assertEqual(ta, tb)
        self.assertNotEqual(ta, tc)

    def test_covariates_come_from_data(self):
        with open("examples/data/linear_regression.json") as f:
            x = json.load(f)["x"]
        cov = self.path("cov.json")
        with open(cov, "w") as f:
            json.dump({"x": x}, f)
        out = self.simulate("examples/tutorial/linear_regression.py", "lr.json", "--data", cov)
        with open(out) as f:
            data = json.load(f)
        self.assertEqual(data["x"], x)
        self.assertEqual(len(data["y"]), 100)
        self.train("examples/tutorial/linear_regression.py", out)

    def test_missing_covariate_is_a_located_error(self):
        r = S.run("simulate", "examples/tutorial/linear_regression.py", "-o", self.path("no.json"))
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("linear_regression.py:27:", r.stderr)
        self.assertIn("missing data argument 'x'", r.stderr)
        self.assertFalse(os.path.exists(self.path("no.json")))

    def test_nothing_to_draw(self):
        r = S.run("simulate", "examples/tutorial/branching.py", "-o", self.path("none.json"))
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("nothing to draw", r.stderr)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
