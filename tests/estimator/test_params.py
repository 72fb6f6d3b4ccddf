#!/usr/bin/env python3
"""Param files: `svic run --params-out` writes the trained params keyed by Pyro's param-store names
(`hidden$$$weight` for pyro.module("hidden", ...)) as .json or .npz, in their constrained values and shapes;
`--params` reads either back, so training resumes from exactly those values.

Usage: test_params.py SVIC_BINARY
"""
import json
import os
import sys
import unittest

import svic_est as S

NET = ["examples/tutorial/relu_net.py", "--data", "examples/data/relu_net.json"]
NAMES = {"hidden$$$weight": [16, 1], "hidden$$$bias": [16], "out$$$weight": [1, 16], "out$$$bias": [1],
         "shift_loc": [], "shift_scale": []}


def shape(v):
    s = []
    while isinstance(v, list):
        s.append(len(v))
        v = v[0]
    return s


class ParamFiles(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.json = cls.path("p.json")
        cls.npz = cls.path("p.npz")
        cls.printed = {}
        for out in (cls.json, cls.npz):
            r = S.run("run", *NET, "--steps", 30, "--lr", 0.01, "--seed", 4, "--params-out", out, check=True)
            cls.printed[out] = S.final_json(r.stdout)["params"]

    def test_json_holds_pyro_names_shapes_and_the_printed_values(self):
        with open(self.json) as f:
            saved = S.strict_json(f.read())
        self.assertEqual(set(saved), set(NAMES))
        for name, want in NAMES.items():
            self.assertEqual(shape(saved[name]), want, name)
        self.assertEqual(saved, self.printed[self.json])
        self.assertEqual(self.printed[self.json], self.printed[self.npz])

    def test_nested_modules_are_named_as_pyro_names_them(self):
        # Pyro 1.8.6: pyro.module("net", net) stores net.named_parameters() as "net$$$" + the dotted path.
        data, out = self.path("nested_data.json"), self.path("nested.json")
        with open(data, "w") as f:
            json.dump({"x": [[0.1, 0.2], [0.3, 0.1], [0.0, 1.0]], "y": [1.0, 0.0, 0.5]}, f)
        r = S.run("run", "tests/estimator/programs/nested_modules.py", "--data", data, "--steps", 2,
                  "--params-out", out)
        self.assertEqual(r.returncode, 0, S.describe(r))
        with open(out) as f:
            names = sorted(json.load(f))
        self.assertEqual(names, sorted("net$$$" + p + "." + w for p in ("block.lin", "layers.0", "layers.1", "out.0")
                                       for w in ("weight", "bias")))

    def test_npz_and_json_read_back_the_same(self):
        a = S.run("run", *NET, "--steps", 0, "--params", self.json, check=True)
        b = S.run("run", *NET, "--steps", 0, "--params", self.npz, check=True)
        self.assertEqual(S.final_json(a.stdout)["params"], S.final_json(b.stdout)["params"])
        got = S.final_json(b.stdout)["params"]
        for name in NAMES:
            flat_got = json.dumps(got[name])
            flat_want = json.dumps(self.printed[self.npz][name])
            # Through the unconstrained space and back: positive params may move in the last bit.
            self.assertEqual(shape(got[name]), shape(self.printed[self.npz][name]), name)
            if name != "shift_scale":
                self.assertEqual(flat_got, flat_want, name)
            else:
                self.assertAlmostEqual(S.scalar(got[name]), S.scalar(self.printed[self.npz][name]), places=12)
        ga, _ = S.grad(NET, 50, extra=("--params", self.npz))
        gb, _ = S.grad(NET, 50, extra=("--params", self.json))
        self.assertEqual(ga["gradient"], gb["gradient"])

    def test_npz_is_plain_numpy(self):
        import zipfile
        with zipfile.ZipFile(self.npz) as z:
            self.assertEqual(sorted(z.namelist()), sorted(n + ".npy" for n in NAMES))
            head = z.read("hidden$$$weight.npy")[:80].decode("latin1")
        self.assertIn("'descr': '<f8'", head)
        self.assertIn("'shape': (16,1)", head)

    def test_a_foreign_param_name_is_refused(self):
        bad = self.path("bad.json")
        with open(bad, "w") as f:
            json.dump({"encoder$$$weight": [1.0]}, f)
        r = S.run("run", *NET, "--steps", 1, "--params", bad)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("no param 'encoder$$$weight'", r.stderr)


class InitialisersDrawnFromDistributions(S.TempDirTest):
    """Each law's draws by a statistic with a known value; a StudentT once drew Normal(df, loc) (its placeholder
    shape rules taken for its law)."""

    def test_draws_follow_their_law(self):
        out = self.path("init.json")
        r = S.run("run", "tests/estimator/programs/init_draws.py", "--steps", 0, "--params-out", out)
        self.assertEqual(r.returncode, 0, S.describe(r))
        with open(out) as f:
            p = {k: sorted(v) for k, v in json.load(f).items()}

        def median(xs):
            return xs[len(xs) // 2]

        # Medians of 4000 draws are within about 0.03 / density-at-the-median; means within 4 standard errors.
        self.assertTrue(0 <= p["uniform"][0] and p["uniform"][-1] <= 2)
        self.assertAlmostEqual(S.mean(p["uniform"]), 1.0, delta=4 * 0.577 / 63.2)
        self.assertAlmostEqual(S.mean(p["student_t"]), 100.0, delta=4 * 2.0 * (5 / 3) ** 0.5 / 63.2)
        self.assertAlmostEqual(median(p["cauchy"]), -3.0, delta=0.06)
        self.assertGreater(p["half_cauchy"][0], 0)
        self.assertAlmostEqual(median(p["half_cauchy"]), 2.0, delta=0.2)
        self.assertAlmostEqual(S.mean(p["laplace"]), 3.0, delta=4 * 1.5 * 2 ** 0.5 / 63.2)
        self.assertAlmostEqual(S.mean([abs(x - 3.0) for x in p["laplace"]]), 1.5, delta=0.1)

    def test_unsupported_law_is_refused_at_its_location(self):
        r = S.run("run", "tests/estimator/programs/init_draws.py", "--guide-fn", "mvn_guide", "--steps", 0)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertIn("init_draws.py:22:", r.stderr)
        self.assertIn("sample() of dist.MultivariateNormal in a parameter initialiser", r.stderr)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
