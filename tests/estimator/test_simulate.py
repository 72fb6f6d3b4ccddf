#!/usr/bin/env python3
"""`svic simulate`: draws from the model's prior predictive, written as .json or .npz, that `svic run` trains on.

- every tutorial and paper model that compiles is simulated, then trained for a few steps on its own draws;
- the draws follow the prior predictive: coin's ten flips share one p ~ Beta(10, 10), so the variance of a draw's
  mean is E[p(1-p)]/10 + Var(p) = 0.0357, which independent flips (0.025) would miss;
- a site the estimator sums out (enumerated, TraceEnum_ELBO) is drawn;
- same seed, same file; --n stacks independent draws; covariates come from --data and are copied through;
- an argument the model reads other than through obs= and --data leaves out is a located error.
- observations through views (x[:, t, :], y[index tensor], z[mask]) write each draw at the positions the view
  selects, and nowhere else (0); two observations of one position, reading a drawn argument's values, its unknown
  shape and a mask from an absent argument are located errors;
- --shape makes an argument that is None without data (`ys=None`) data to draw, in that shape; --redraw draws a
  given argument anew, what the model reads of it before (ProdLDA's total count) coming from the given values.

Usage: test_simulate.py SVIC_BINARY
"""
import json
import os
import sys
import textwrap
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


    def program(self, name, body):
        """A model file in the temp dir: the imports, then body (dedented); line 4 is body's first line."""
        path = self.path(name)
        with open(path, "w") as f:
            f.write("import torch\nimport pyro\nimport pyro.distributions as dist\n" + textwrap.dedent(body))
        return path

    def refused(self, model, *extra):
        out = self.path("refused.json")
        r = S.run("simulate", model, "-o", out, *extra)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertFalse(os.path.exists(out))
        return r.stderr

    def test_draws_land_where_the_views_select(self):
        with open(self.path("m.json"), "w") as f:
            json.dump({"m": [[1, 0, 1], [0, 1, 0]]}, f)
        out = self.simulate("tests/estimator/programs/simulate_views.py", "views.json", "--data", self.path("m.json"),
                            "--shape", "z=2,3")
        with open(out) as f:
            data = json.load(f)
        # Each site draws its loc (scale 1e-6): x_t's row b, note j is 100 t + 2 b + j, at x[b, t, j].
        for b in range(4):
            for t in range(3):
                for j in range(2):
                    self.assertAlmostEqual(data["x"][b][t][j], 100 * t + 2 * b + j, delta=1e-4)
        expected_y = [[0, 0], [3, 4], [0, 0], [1, 2], [0, 0]]  # rows 3 and 1 drawn, the others never observed
        expected_z = [[7, 0, 7], [0, 7, 0]]  # where m == 1
        expected_w = [[50, 52, 54], [51, 53, 55]]  # w's columns, one after the other
        for got, want in ((data["y"], expected_y), (data["z"], expected_z), (data["w"], expected_w)):
            for g, w in zip(got, want):
                for a, b in zip(g, w):
                    self.assertAlmostEqual(a, b, delta=1e-4)
        self.assertEqual(data["m"], [[1, 0, 1], [0, 1, 0]])

    def test_categorical_draws_are_integer_data(self):
        model = "tests/estimator/programs/simulate_types.py"
        for out in ("types.json", "types.npz"):
            data = self.simulate(model, out, "--seed", 3)
            # Read back, the ids index w (a float tensor cannot: svic refuses it, as torch does).
            self.train(model, data, "--model-fn", "indexed", "--guide-fn", "guide")
        with open(self.path("types.json")) as f:
            data = json.load(f)
        self.assertTrue(all(type(v) is int and 0 <= v < 4 for v in data["ids"]), data["ids"])
        self.assertTrue(all(type(v) is float and v in (0.0, 1.0) for v in data["flips"]), data["flips"])

    def test_overlapping_observations_are_a_located_error(self):
        model = self.program("overlap.py", """
            def main(x):
                x = torch.reshape(x, [2, 3])
                pyro.sample("a", dist.Normal(torch.zeros(3), 1.).to_event(1), obs=x[0])
                pyro.sample("b", dist.Normal(torch.zeros(2), 1.).to_event(1), obs=x[:, 1])
            """)
        err = self.refused(model)
        self.assertIn("overlap.py:8:71: error:", err)
        self.assertIn("observed at 'b' and at 'a' in overlapping positions", err)

    def test_reading_a_drawn_argument_is_a_located_error(self):
        model = self.program("read.py", """
            def main(x):
                x = torch.reshape(x, [3])
                loc = torch.sum(x)
                pyro.sample("x", dist.Normal(loc * torch.ones(3), 1.).to_event(1), obs=x)
            """)
        err = self.refused(model)
        self.assertIn("read.py:7:11: error: data argument 'x' is read by value, but svic simulate draws it", err)
        self.assertIn("pass it with --data", err)

    def test_indexing_by_a_drawn_argument_after_its_site_is_a_located_error(self):
        # Pyro runs the model with ids=None, so w[ids] would be w[None]: the name, not the site, is read.
        model = self.program("index.py", """
            def main(ids, y):
                w = pyro.sample("w", dist.Normal(torch.zeros(3), 1.).to_event(1))
                with pyro.plate("n", 4):
                    pyro.sample("ids", dist.Categorical(torch.ones(3) / 3), obs=ids)
                    pyro.sample("y", dist.Normal(w[ids], 1.), obs=y)
            """)
        err = self.refused(model)
        self.assertIn("index.py:9:40: error: data argument 'ids' is read by value, but svic simulate draws it", err)
        self.assertIn("ids = pyro.sample(..., obs=ids)", err)

    def test_an_absent_mask_is_a_located_error(self):
        model = self.program("mask.py", """
            def main(x, m):
                x = torch.reshape(x, [3])
                m = torch.reshape(m, [3])
                pyro.sample("x", dist.Normal(torch.zeros(3), 1.).mask(m).to_event(1), obs=x)
            """)
        self.assertIn("mask.py:8:59: error: data argument 'm' is read by value", self.refused(model))

    def test_shape_makes_an_absent_argument_data(self):
        model = "tests/estimator/programs/simulate_optional.py"
        err = self.refused(model)
        self.assertIn("nothing to draw", err)
        self.assertIn("--shape", err)
        out = self.simulate(model, "optional.json", "--shape", "ys=5,4", "--n", "3")
        with open(out) as f:
            ys = json.load(f)["ys"]
        self.assertEqual((len(ys), len(ys[0]), len(ys[0][0])), (3, 5, 4))
        self.assertTrue(all(v in (0, 1) for draw in ys for row in draw for v in row))

    def test_unknown_shape_is_a_located_error(self):
        model = self.program("shape.py", """
            def main(x):
                n = x.shape[0]
                pyro.sample("x", dist.Normal(torch.zeros(n), 1.).to_event(1), obs=x)
            """)
        err = self.refused(model)
        self.assertIn("shape.py:6:9: error: the model reads the shape of data argument 'x'", err)
        self.assertIn("--shape x=d1,d2,...", err)

    def test_bad_shape_options(self):
        model = "tests/estimator/programs/simulate_optional.py"
        self.assertIn("--shape expects NAME=d1,d2,...", self.refused(model, "--shape", "ys=5,0"))
        self.assertIn("'zs' is not an argument of the model", self.refused(model, "--shape", "zs=5"))
        with open(self.path("ys.json"), "w") as f:
            json.dump({"ys": [[1, 0]]}, f)
        self.assertIn("'ys' is given by --data, so it is not drawn",
                      self.refused(model, "--data", self.path("ys.json"), "--shape", "ys=1,2"))

    def test_redraw_reads_the_given_values_before_the_draw(self):
        model = "tests/estimator/programs/simulate_redraw.py"
        given = [[3, 0, 1, 0], [0, 9, 0, 0], [1, 1, 1, 1]]
        with open(self.path("docs.json"), "w") as f:
            json.dump({"docs": given}, f)
        err = self.refused(model, "--data", self.path("docs.json"))
        self.assertIn("nothing to draw", err)
        out = self.simulate(model, "docs_out.json", "--data", self.path("docs.json"), "--redraw", "docs", "--n", "50")
        with open(out) as f:
            docs = json.load(f)["docs"]
        self.assertEqual((len(docs), len(docs[0]), len(docs[0][0])), (50, 3, 4))
        # Every document holds max(given row sums) = 9 words, spread (uniform probs) unlike the given ones.
        self.assertTrue(all(sum(row) == 9 for draw in docs for row in draw))
        self.assertNotEqual(docs[0], given)
        self.assertIn("the model does not observe 'm'",
                      self.refused("tests/estimator/programs/simulate_views.py", "--data", self.path("m.json"),
                                   "--shape", "z=2,3", "--redraw", "m"))


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
