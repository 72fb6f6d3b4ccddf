#!/usr/bin/env python3
"""Bounded supports train natively (issues 9/10): AutoNormal over a Beta, a Uniform(low, high) and a Dirichlet
draws u = loc + scale * eps and maps it through Pyro's biject_to (low + (high - low) * sigmoid(u), or stick-breaking
onto the simplex), its density log N(u) - log |dx/du|; a written TransformedDistribution(Normal,
[SigmoidTransform()]) guide is the same map. The generated gradient of one sample equals central finite differences
of svic's own ELBO sample at the same noise; the score estimator draws the same sample; a saturated sigmoid is
clipped into the support as torch clips it; `svic compile` writes a library; `svic run` trains
realworld 37, a small version of realworld 46 (topic mixtures on the simplex) and a Beta-Bernoulli coin whose
posterior mean is known. The same answer as Pyro is tests/realworld/pyro_replay.py's (autonormal_*).

Usage: test_bounded.py SVIC_BINARY
"""
import json
import math
import random
import sys
import unittest

import svic_est as S

PROG = "tests/estimator/programs/bounded.py"
RW37 = "tests/realworld/37_bounded_priors_autonormal.py"
DATA = {
    "coin": {"flips": [1.0] * 15 + [0.0] * 5},
    "mixed": {"y": [3.1, 4.0, 2.2, 3.5, 5.0, 2.9]},
    "topic": {"counts": [[3, 2, 1, 0, 0, 0], [0, 0, 1, 2, 3, 0], [2, 2, 2, 0, 0, 0], [0, 1, 0, 1, 1, 3]]},
}
# Unconstrained values away from the initial ones (AutoNormal's scales are softplus_positive, as in Pyro 1.8.6).
MIXED_PARAMS = {"AutoNormal.locs.sigma": 0.4, "AutoNormal.scales.sigma": 0.3,
                "AutoNormal.locs.share": [-0.5, 0.2, 1.1], "AutoNormal.scales.share": [0.2, 0.6, 0.4],
                "AutoNormal.locs.mix": [[0.3, -0.8, 1.2], [0.0, 0.5, -0.4], [-1.5, 0.9, 0.1]],
                "AutoNormal.scales.mix": [[0.3, 0.5, 0.2], [0.4, 0.1, 0.6], [0.2, 0.2, 0.3]]}
SEED = 3


def flatten(v):
    return [x for item in v for x in flatten(item)] if isinstance(v, list) else [v]


def softplus(u):
    return u if u > 20 else math.log1p(math.exp(u))


def softplus_inv(y):
    return y + math.log(-math.expm1(-y))


def rw37_data(n=60):
    rng = random.Random(0)
    africa = [float(rng.random() < 0.3) for _ in range(n)]
    rugged = [5 * rng.random() for _ in range(n)]
    gdp = [9.0 - 1.5 * a + 0.2 * r + rng.gauss(0, 0.5) for a, r in zip(africa, rugged)]
    return {"is_cont_africa": africa, "ruggedness": rugged, "log_gdp": gdp}


class Bounded(S.TempDirTest):
    def data(self, name, values=None):
        path = self.path(name + ".json")
        with open(path, "w") as f:
            json.dump(values or DATA[name], f)
        return path

    def grad(self, model_fn, guide_fn, data, params, estimator="auto"):
        out, _ = S.grad([PROG, "--model-fn", model_fn, "--guide-fn", guide_fn, "--data", self.data(data)], 1,
                        seed=SEED, estimator=estimator, params=params, tmpdir=self.tmp.name)
        return out

    def check_finite_differences(self, model_fn, guide_fn, data, params, maps):
        """The gradient of one sample against central differences of the ELBO sample in every unconstrained
        param entry; `maps` gives a constrained param's (to_unconstrained, to_constrained) pair."""
        out = self.grad(model_fn, guide_fn, data, params)
        self.assertEqual(out["estimator"]["score"], [])
        h = 1e-5
        for name, value in params.items():
            flat = [v for row in value for v in row] if isinstance(value, list) and isinstance(value[0], list) \
                else (value if isinstance(value, list) else [value])
            got = out["gradient"][name]["mean"]
            self.assertEqual(len(got), len(flat), name)
            for i, v in enumerate(flat):
                def at(step):
                    moved = list(flat)
                    to_unconstrained, to_constrained = maps.get(name, (float, float))
                    moved[i] = to_constrained(to_unconstrained(v) + step)
                    shaped = moved if isinstance(value, list) else moved[0]
                    if isinstance(value, list) and isinstance(value[0], list):
                        w = len(value[0])
                        shaped = [moved[r * w:(r + 1) * w] for r in range(len(value))]
                    return self.grad(model_fn, guide_fn, data, {**params, name: shaped})["elbo"]["mean"]
                fd = (at(h) - at(-h)) / (2 * h)
                self.assertAlmostEqual(got[i], fd, delta=1e-5 * max(1.0, abs(fd)), msg="%s[%d]" % (name, i))

    def test_autonormal_gradient_equals_finite_differences(self):
        # Pyro 1.8.6's AutoNormal constrains its scales by softplus_positive, not by exp.
        maps = {k: (softplus_inv, softplus) for k in MIXED_PARAMS if ".scales." in k}
        self.check_finite_differences("mixed_model", "AutoNormal", "mixed", MIXED_PARAMS, maps)

    def test_sigmoid_guide_gradient_equals_finite_differences(self):
        self.check_finite_differences("coin_model", "sigmoid_guide", "coin", {"loc": 0.7, "scale": 0.4},
                                      {"scale": (math.log, math.exp)})  # constraints.positive: exp

    def test_score_estimator_draws_the_same_sample(self):
        auto = self.grad("mixed_model", "AutoNormal", "mixed", MIXED_PARAMS)
        score = self.grad("mixed_model", "AutoNormal", "mixed", MIXED_PARAMS, estimator="score")
        self.assertEqual(sorted(score["estimator"]["score"]), ["mix", "share", "sigma"])
        self.assertAlmostEqual(score["elbo"]["mean"], auto["elbo"]["mean"], places=9)
        for g in score["gradient"].values():
            self.assertTrue(all(S.finite(x) for x in g["mean"]))

    def test_saturated_draw_stays_inside_the_support(self):
        # sigmoid(40) rounds to 1 in double; torch clips it to 1 - eps, where the flips' 5 tails stay finite.
        for model_fn, guide_fn, data, params in (
                ("coin_model", "sigmoid_guide", "coin", {"loc": 40.0, "scale": 0.1}),
                ("mixed_model", "AutoNormal", "mixed", {"AutoNormal.locs.share": [40.0, 0.0, -800.0],
                                                        "AutoNormal.locs.mix": [[60.0, 0.0, 0.0]] * 3})):
            out = self.grad(model_fn, guide_fn, data, params)
            self.assertTrue(S.finite(out["elbo"]["mean"]), (model_fn, out["elbo"]))

    def train(self, args, steps, lr):
        trace = self.path("trace_%d.csv" % len(args))
        out = self.path("params_%d.json" % len(args))
        r = S.run("run", *args, "--steps", steps, "--lr", lr, "--seed", 1, "--trace", trace, "--params-out", out,
                  timeout=300)
        self.assertEqual(r.returncode, 0, S.describe(r))
        elbo = S.trace_column(S.read_trace(trace))
        self.assertTrue(all(S.finite(e) for e in elbo))
        window = max(steps // 10, 10)
        self.assertGreater(S.mean(elbo[-window:]), S.mean(elbo[:window]) + 1.0)
        with open(out) as f:
            return json.load(f)

    def test_coin_posterior_mean(self):
        start = self.data("coin_start", {"loc": -2.0, "scale": 0.5})  # far from the posterior
        params = self.train([PROG, "--model-fn", "coin_model", "--guide-fn", "sigmoid_guide", "--data",
                             self.data("coin"), "--params", start], 1500, 0.05)
        # The logit-normal's mean, by quadrature over u ~ N(loc, scale), against Beta(17, 7)'s 17 / 24.
        loc, scale = S.scalar(params["loc"]), S.scalar(params["scale"])
        grid = [-6 + 12 * k / 2000 for k in range(2001)]
        weights = [math.exp(-x * x / 2) for x in grid]
        mean = sum(w / (1 + math.exp(-(loc + scale * x))) for w, x in zip(weights, grid)) / sum(weights)
        self.assertAlmostEqual(mean, 17 / 24, delta=0.02)

    def test_first_adam_step_moves_scales_on_pyros_unconstrained_space(self):
        # Adam's first step moves each unconstrained entry by lr against its gradient's sign. Pyro 1.8.6 keeps
        # AutoNormal's scales (init 0.1) as softplus_inv(scale), so one step lands on softplus(softplus_inv(0.1) +-
        # lr); with exp it would land on 0.1 * exp(+-lr), 5% further away.
        lr, out = 0.01, self.path("one_step.json")
        r = S.run("run", PROG, "--model-fn", "mixed_model", "--guide-fn", "AutoNormal", "--data", self.data("mixed"),
                  "--steps", 1, "--lr", lr, "--seed", 1, "--params-out", out)
        self.assertEqual(r.returncode, 0, S.describe(r))
        with open(out) as f:
            params = json.load(f)
        landings = (softplus(softplus_inv(0.1) - lr), softplus(softplus_inv(0.1) + lr))
        scales = [v for k, p in params.items() if ".scales." in k for v in flatten(p)]
        self.assertEqual(len(scales), 1 + 3 + 9)
        for v in scales:
            self.assertAlmostEqual(min(abs(v - x) for x in landings), 0, delta=1e-9, msg=v)

    def test_realworld_37_trains(self):
        params = self.train([RW37, "--data", self.data("rw37", rw37_data())], 400, 0.03)
        self.assertIn("AutoNormal.locs.sigma", params)

    def test_compile_writes_a_library(self):
        lib = self.path("librw37.so")
        r = S.run("compile", RW37, "--data", self.data("rw37", rw37_data()), "-o", lib)
        self.assertEqual(r.returncode, 0, S.describe(r))

    def test_topic_mixture_on_the_simplex_trains(self):
        params = self.train([PROG, "--model-fn", "topic_model", "--guide-fn", "AutoNormal", "--data",
                             self.data("topic")], 300, 0.05)
        self.assertEqual(len(params["AutoNormal.locs.topic_words"]), 2)
        self.assertEqual(len(params["AutoNormal.locs.topic_words"][0]), 5)


if __name__ == "__main__":
    S.configure(sys.argv)
    unittest.main()
