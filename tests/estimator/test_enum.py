#!/usr/bin/env python3
"""Enumerated model sites summed out (issue 10, TraceEnum_ELBO): on a 2-state HMM of 3 steps the summed-out
log-likelihood equals brute force over the 8 paths and its generated gradient equals finite differences; a batch of
masked HMMs with an enumerated Bernoulli regime equals Pyro 1.8.6's TraceEnum_ELBO (when the reference Pyro is
there), and so do a batch of HMMs whose per-sequence transition matrices are indexed by Vindex and a chain of two
enumerated OneHotCategorical sites (whose gradients also equal finite differences); sites that cannot be summed out soundly are located errors naming them.

Usage: test_enum.py SVIC_BINARY
"""
import itertools
import json
import math
import os
import subprocess
import sys
import unittest

import svic_est as S

HMM = "tests/estimator/programs/hmm_enum.py"
PLATED = "tests/estimator/programs/hmm_enum_plate.py"
VINDEX = "tests/estimator/programs/hmm_vindex.py"
ONEHOT = "tests/estimator/programs/onehot_enum.py"
OBS = [0.7, -1.2, 1.5]
PLATED_DATA = {"obs": [[0.5, -1.9, 2.2, 0.1], [1.9, 2.4, -0.3, 0.0], [-2.2, -1.0, 0.4, 1.3]],
               "mask": [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0]]}
PAIRS_DATA = {"obs": [[0.5, -1.9], [1.9, 2.4], [-2.2, -1.0], [0.3, 1.1]]}


def log_softmax(v):
    m = max(v)
    lse = m + math.log(sum(math.exp(x - m) for x in v))
    return [x - lse for x in v]


def normal_lpdf(x, loc, scale):
    return -0.5 * ((x - loc) / scale) ** 2 - math.log(scale) - 0.5 * math.log(2 * math.pi)


def brute_force(p, scale):
    """log sum over the 8 state paths of p(y, x) for hmm_enum.py."""
    init, trans, locs = p["init_logits"], p["trans_logits"], p["locs"]
    paths = []
    for ys in itertools.product([0, 1], repeat=3):
        lp = log_softmax(init)[ys[0]] + normal_lpdf(OBS[0], locs[ys[0]], scale)
        for t in (1, 2):
            lp += log_softmax(trans[ys[t - 1]])[ys[t]] + normal_lpdf(OBS[t], locs[ys[t]], scale)
        paths.append(lp)
    m = max(paths)
    return m + math.log(sum(math.exp(x - m) for x in paths))


class Enumerated(S.TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = cls.write("hmm.json", {"obs": OBS})

    @classmethod
    def write(cls, name, obj):
        path = cls.path(name)
        with open(path, "w") as f:
            json.dump(obj, f) if not isinstance(obj, str) else f.write(obj)
        return path

    def trace(self, program, data, params=None, name="t.json"):
        out = self.path(name)
        args = ["grad", program, "--data", data, "--seed", 3, "--trace-out", out]
        if params is not None:
            args += ["--params", self.write("params.json", params)]
        S.run(*args, check=True)
        with open(out) as f:
            return json.load(f)

    def test_summed_out_likelihood_is_brute_force_over_all_paths(self):
        t = self.trace(HMM, self.data)
        p = {k[len("param:"):]: v for k, v in t.items() if k.startswith("param:")}
        want = brute_force(p, t["latent:scale"])
        self.assertAlmostEqual(t["model:enum:y_0..y_2"], want, places=10)
        self.assertAlmostEqual(t["elbo"], want + t["model:scale"] - t["guide:scale"], places=10)

    def check_gradient(self, program, data):
        """One sample at a fixed seed: the guide's latents are pathwise, so the sample's ELBO is a smooth function
        of every param, and its generated gradient is that function's derivative."""
        out, _ = S.grad([program, "--data", data], 1, seed=3)
        base = self.trace(program, data)
        params = {k[len("param:"):]: v for k, v in base.items() if k.startswith("param:")}
        h = 1e-5
        for name, value in params.items():
            flat = [value] if not isinstance(value, list) else list(itertools.chain.from_iterable(
                v if isinstance(v, list) else [v] for v in value))
            for i in range(len(flat)):
                def elbo_at(delta):
                    moved = list(flat)
                    moved[i] += delta
                    shaped = moved[0] if not isinstance(value, list) else (
                        [moved[r * len(value[0]):(r + 1) * len(value[0])] for r in range(len(value))]
                        if isinstance(value[0], list) else moved)
                    return self.trace(program, data, dict(params, **{name: shaped}))["elbo"]
                fd = (elbo_at(h) - elbo_at(-h)) / (2 * h)
                got = out["gradient"][name]["mean"]
                got = got[i] if isinstance(got, list) else got
                self.assertAlmostEqual(got, fd, delta=1e-6 * max(1, abs(fd)), msg="%s[%d]" % (name, i))

    def check_directional_gradient(self, program, data, names):
        """As check_gradient, along one fixed direction per param (two compilations per param, not two per
        element): the finite difference of the ELBO along d equals the gradient's dot product with d."""
        out, _ = S.grad([program, "--data", data], 1, seed=3)
        base = self.trace(program, data)
        params = {k[len("param:"):]: v for k, v in base.items() if k.startswith("param:")}
        h = 1e-5

        def flat(v):
            return [x for e in v for x in flat(e)] if isinstance(v, list) else [v]

        def shaped(like, it):
            return [shaped(e, it) for e in like] if isinstance(like, list) else next(it)

        for name in names:
            value = flat(params[name])
            d = [math.sin(1.7 * i + 0.3) for i in range(len(value))]

            def elbo_at(step):
                moved = shaped(params[name], iter([v + step * di for v, di in zip(value, d)]))
                return self.trace(program, data, dict(params, **{name: moved}))["elbo"]
            fd = (elbo_at(h) - elbo_at(-h)) / (2 * h)
            got = sum(g * di for g, di in zip(flat(out["gradient"][name]["mean"]), d))
            self.assertAlmostEqual(got, fd, delta=1e-6 * max(1, abs(fd)), msg=name)

    def test_gradient_matches_finite_differences(self):
        self.check_gradient(HMM, self.data)

    def test_vindex_gradient_matches_finite_differences(self):
        # The params whose gradient flows through Vindex's gathers: the guide's transition logits (through the
        # sampled per-sequence matrices) and the emission means (through vindex).
        self.check_directional_gradient(VINDEX, self.write("plated.json", PLATED_DATA), ["q_trans", "locs"])

    def test_onehot_gradient_matches_finite_differences(self):
        # The params read through the one-hot values: the transition logits and the emission means.
        self.check_directional_gradient(ONEHOT, self.write("pairs.json", PAIRS_DATA),
                                        ["weight_logits", "trans_logits", "locs"])

    def test_trains(self):
        r = S.run("run", HMM, "--data", self.data, "--steps", 100, "--lr", 0.05, "--seed", 1,
                  "--trace", self.path("run.csv"), check=True)
        elbos = [float(row["elbo"]) for row in S.read_trace(self.path("run.csv"))]
        self.assertTrue(all(S.finite(e) for e in elbos), elbos)
        self.assertGreater(S.mean(elbos[-20:]), S.mean(elbos[:20]), r.stdout[-500:])

    @unittest.skipIf(S.pyro_python() is None, "the reference Pyro is not beside the project")
    def test_same_answer_as_pyro_trace_enum_elbo(self):
        data = self.write("plated.json", PLATED_DATA)
        pairs = self.write("pairs.json", PAIRS_DATA)
        for program, nesting, d in ((HMM, 0, self.data), (PLATED, 1, data), (VINDEX, 1, data), (ONEHOT, 1, pairs)):
            with self.subTest(program):
                trace = self.path("replay.json")
                S.run("grad", program, "--data", d, "--seed", 5, "--trace-out", trace, check=True)
                p = subprocess.run([S.pyro_python(), os.path.join(S.ROOT, "tests", "estimator", "pyro",
                                                                  "replay_trace.py"),
                                    "--max-plate-nesting", str(nesting), program, program, d, trace],
                                   capture_output=True, text=True, timeout=300)
                self.assertTrue(p.stdout.strip(), p.stderr[-3000:])
                out = json.loads(p.stdout)
                self.assertEqual(out["mismatches"], [])
                self.assertTrue(any(row["site"].startswith("model:enum:") for row in out["sites"]), out)

    def refused(self, body, site, why):
        program = self.write("bad.py", "import torch\nimport pyro\nimport pyro.distributions as dist\n\n\n"
                             "def model(obs):\n" + body + "\n\ndef guide(obs):\n    pass\n\n\n"
                             "def main():\n    pyro.infer.TraceEnum_ELBO(max_plate_nesting=0)\n")
        r = S.run("grad", program, "--data", self.data, "--samples", 1)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertRegex(r.stderr, r"bad\.py:\d+:\d+: error: .*(%s.*'%s'|'%s'.*%s)" % (why, site, site, why))
        self.assertNotIn("Traceback", r.stderr)

    def test_unsupported_enumerations_are_located_errors(self):
        self.refused("    z = pyro.sample('z', dist.Poisson(3.0), infer={'enumerate': 'parallel'})\n"
                     "    pyro.sample('x', dist.Normal(z, 1.0), obs=obs[0])\n",
                     "z", "OneHotCategorical and Bernoulli sites only")
        self.refused("    y = pyro.sample('y', dist.Bernoulli(0.3), infer={'enumerate': 'parallel'})\n"
                     "    pyro.sample('x', dist.Normal(torch.sum(y), 1.0), obs=obs[0])\n",
                     "y", "other than along its enumeration dim")
        self.refused("    y = pyro.sample('y', dist.Bernoulli(0.3), infer={'enumerate': 'parallel'})\n"
                     "    if torch.sum(y) > 0:\n        pyro.sample('x', dist.Normal(0.0, 1.0), obs=obs[0])\n",
                     "y", "a branch on the value")

    def test_what_pyro_vindex_raises_on_is_a_located_error(self):
        for index, why in (("..., y, 0:2", "only the full slice"), ("y, ..., 0", "'...' only as its first index"),
                           ("..., y, None", "index in Vindex")):
            with self.subTest(index):
                program = self.write("bad_vindex.py", "import torch\nimport pyro\nimport pyro.distributions as dist\n"
                                     "from pyro.ops.indexing import Vindex\n\n\ndef model(obs):\n"
                                     "    y = pyro.sample('y', dist.Categorical(torch.ones(3)), infer={'enumerate': "
                                     "'parallel'})\n    m = Vindex(torch.eye(3))[%s]\n"
                                     "    pyro.sample('x', dist.Normal(torch.sum(m), 1.0), obs=obs[0])\n\n\n"
                                     "def guide(obs):\n    pass\n\n\ndef main():\n"
                                     "    pyro.infer.TraceEnum_ELBO(max_plate_nesting=0)\n" % index)
                r = S.run("grad", program, "--data", self.data, "--samples", 1)
                self.assertEqual(r.returncode, 2, S.describe(r))
                self.assertRegex(r.stderr, r"bad_vindex\.py:9:\d+: error: .*%s" % why)

    def test_summed_out_only_under_an_enumerating_elbo_as_the_analysis_says(self):
        # Pyro's Trace_ELBO ignores infer={"enumerate": ...}: the guide must sample the site. The loop's length is
        # data, so the analysis cannot say the model definitely samples y_{} and the driver does not stop first.
        body = ("import torch\nimport pyro\nimport pyro.distributions as dist\n\n\ndef model(obs):\n"
                "    for t in pyro.markov(range(len(obs))):\n"
                "        y = pyro.sample('y_{}'.format(t), dist.Bernoulli(0.3), infer={'enumerate': 'parallel'})\n"
                "        pyro.sample('x_{}'.format(t), dist.Normal(y, 1.0), obs=obs[t])\n\n\n"
                "def guide(obs):\n    pass\n")
        for elbo, verdicts in (("", ("unknown", "model-only")), ("TraceEnum_ELBO", ("match",))):
            with self.subTest(elbo or "no enumerating ELBO"):
                program = self.write("marked.py", body + (
                    "\n\ndef main():\n    pyro.infer.%s(max_plate_nesting=0)\n" % elbo if elbo else ""))
                r = S.run("analyze", program, "--format", "json", check=True)
                site = [s for s in json.loads(r.stdout)["supportMatch"]["sites"] if s["name"] == "y_{}"][0]
                self.assertIn(site["verdict"], verdicts, site)
                r = S.run("grad", program, "--data", self.data, "--samples", 1)
                if elbo:
                    self.assertEqual(r.returncode, 0, S.describe(r))
                    continue
                self.assertEqual(r.returncode, 2, S.describe(r))
                self.assertRegex(r.stderr, r"marked\.py:8:\d+: error: the model samples 'y_0' but the guide has no "
                                           r"site of that name: .*no enumerating ELBO")

    def test_enumerated_in_the_guide_is_refused(self):
        program = self.write("guide_enum.py", "import torch\nimport pyro\nimport pyro.distributions as dist\n\n\n"
                             "def model(obs):\n    y = pyro.sample('y', dist.Bernoulli(0.3))\n"
                             "    pyro.sample('x', dist.Normal(y, 1.0), obs=obs[0])\n\n\n"
                             "def guide(obs):\n    pyro.sample('y', dist.Bernoulli(0.5), infer={'enumerate': "
                             "'parallel'})\n\n\ndef main():\n    pyro.infer.TraceEnum_ELBO(max_plate_nesting=0)\n")
        r = S.run("grad", program, "--data", self.data, "--samples", 1)
        self.assertEqual(r.returncode, 2, S.describe(r))
        self.assertRegex(r.stderr, r"guide_enum\.py:12:\d+: error: 'y' is marked for enumeration in the guide")


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
