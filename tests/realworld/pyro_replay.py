"""Pyro constructs svic rewrites into its IR, against real Pyro 1.8.6:
PyroModule models (PyroSample, PyroParam, PyroModule[nn.Linear], nested
PyroModules), TransformedDistribution (exp, affine, sigmoid of a Normal) and
AutoNormal over bounded supports (biject_to of an interval and of the simplex).

usage: ../shared/reference/pyro-python tests/realworld/pyro_replay.py SVIC

For every program below: the model's sites that `svic sites --format json`
lists (names and kinds) must be those poutine.trace records in Pyro, and one
sample of svic's estimator (`svic grad --trace-out`) replayed in Pyro
(tests/estimator/pyro/replay_trace.py) must give every site's log-density
term and the ELBO to 1e-6 relative.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pyro
import torch
from pyro import poutine

HERE = os.path.dirname(os.path.abspath(__file__))
REPLAY = os.path.join(HERE, "..", "estimator", "pyro", "replay_trace.py")

HEADER = """import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro.nn import PyroModule, PyroParam, PyroSample
from torch.distributions import constraints, transforms
"""

# name -> (source defining `model` (a function or an object) and `guide`, data
# shapes; a shape None is a positive scale vector of 8[, param values given to
# `svic grad --params`, the rest keep their initial values])
PROGRAMS = {
    "linear_pyrosample": (
        """
class Regression(PyroModule):
    def __init__(self, d):
        super().__init__()
        self.linear = PyroModule[nn.Linear](d, 1)
        self.linear.weight = PyroSample(dist.Normal(0., 1.).expand([1, d]).to_event(2))
        self.linear.bias = PyroSample(dist.Normal(0., 10.).expand([1]).to_event(1))
        self.scale = PyroParam(torch.tensor(1.5), constraint=constraints.positive)

    def forward(self, x, y):
        mean = self.linear(x).squeeze(-1)
        with pyro.plate("data", x.shape[0]):
            pyro.sample("obs", dist.Normal(mean, self.scale), obs=y)


model = Regression(3)


def guide(x, y):
    w_loc = pyro.param("w_loc", torch.zeros(1, 3))
    pyro.sample("linear.weight", dist.Normal(w_loc, 1.0).to_event(2))
    b_loc = pyro.param("b_loc", torch.zeros(1))
    pyro.sample("linear.bias", dist.Normal(b_loc, 1.0).to_event(1))
""",
        {"x": (6, 3), "y": (6,)},
    ),
    "nested_lambda_prior": (
        """
class Layer(PyroModule):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.prior_scale = 0.5
        self.w = PyroSample(lambda self: dist.Normal(0., self.prior_scale).expand([d_in, d_out]).to_event(2))

    def forward(self, x):
        # read twice in one call: one site, drawn once
        return torch.tanh(x @ self.w) + 0.1 * self.w.sum()


class Net(PyroModule):
    def __init__(self):
        super().__init__()
        self.layer = Layer(2, 3)
        self.out = PyroModule[nn.Linear](3, 1, bias=False)
        self.noise = PyroParam(torch.tensor(0.5), constraint=constraints.positive)

    def forward(self, x, y):
        h = self.out(self.layer(x)).squeeze(-1)
        with pyro.plate("data", x.shape[0]):
            pyro.sample("y", dist.Normal(h, self.noise), obs=y)


model = Net()


def guide(x, y):
    loc = pyro.param("loc", torch.zeros(2, 3))
    pyro.sample("layer.w", dist.Normal(loc, 0.3).to_event(2))
""",
        {"x": (5, 2), "y": (5,)},
    ),
    "pyrosample_first_read_in_loop_and_branch": (
        """
class Trend(PyroModule):
    def __init__(self, steps):
        super().__init__()
        self.steps = steps
        self.drift = PyroSample(dist.Normal(0., 1.))
        self.jump = PyroSample(dist.Normal(0., 5.))

    def forward(self, y, shock=True):
        # drift first read in the loop, jump in a branch in it and after it:
        # Pyro draws each once, at its first read
        level = torch.tensor(0.)
        levels = []
        for t in range(self.steps):
            level = level + self.drift
            if shock:
                level = level + 0.5 * self.jump
            levels.append(level)
        pyro.sample("y", dist.Normal(torch.stack(levels), 1.).to_event(1), obs=y)
        pyro.sample("end", dist.Normal(level + self.jump, 1.), obs=y.sum())


model = Trend(4)


def guide(y, shock=True):
    pyro.sample("drift", dist.Normal(pyro.param("d_loc", torch.tensor(0.2)), 1.))
    pyro.sample("jump", dist.Normal(pyro.param("j_loc", torch.tensor(-0.3)), 2.))
""",
        {"y": (4,)},
    ),
    "transformed_distributions": (
        """
def model(y, sigma):
    mu = pyro.sample("mu", dist.Normal(0., 5.))
    tau = pyro.sample("tau", dist.TransformedDistribution(dist.Normal(0., 1.), transforms.ExpTransform()))
    with pyro.plate("schools", 8):
        theta = pyro.sample("theta", dist.TransformedDistribution(
            dist.Normal(0., 1.), [transforms.AffineTransform(mu, tau)]))
        pyro.sample("obs", dist.Normal(theta, sigma), obs=y)


def guide(y, sigma):
    pyro.sample("mu", dist.Normal(pyro.param("mu_loc", torch.tensor(0.3)), 1.))
    log_tau = pyro.param("log_tau", torch.tensor(0.2))
    pyro.sample("tau", dist.TransformedDistribution(dist.Normal(log_tau, 0.5), [transforms.ExpTransform()]))
    with pyro.plate("schools", 8):
        pyro.sample("theta", dist.TransformedDistribution(
            dist.Normal(0., 1.), transforms.AffineTransform(pyro.param("th", torch.zeros(8)), -2.0)))
""",
        {"y": (8,), "sigma": None},
    ),
    "condition_handlers": (
        """
def sensor(level):
    drift = pyro.sample("drift", dist.Normal(0., 0.1))
    return pyro.sample("reading", dist.Normal(level + drift, 0.5))


def calibration(level):
    bias = pyro.sample("bias", dist.Normal(0., 1.))
    return pyro.sample("calib", dist.Normal(level + bias, 0.2))


def model(reading, calib):
    level = pyro.sample("level", dist.LogNormal(0., 1.))
    pyro.poutine.condition(sensor, data={"reading": reading[0]})(level)
    with pyro.condition(data={"calib": calib[1]}):
        calibration(level)


def guide(reading, calib):
    pyro.sample("level", dist.LogNormal(pyro.param("loc", torch.tensor(0.)), 0.5))
    pyro.sample("drift", dist.Normal(pyro.param("drift_loc", torch.tensor(0.)), 0.1))
    pyro.sample("bias", dist.Normal(pyro.param("bias_loc", torch.tensor(0.)), 1.))
""",
        {"reading": (3,), "calib": (3,)},
    ),
    "loc_scale_reparam": (
        """
from pyro import poutine
from pyro.infer.reparam import LocScaleReparam


def funnel(obs):
    y = pyro.sample("y", dist.Normal(0., 3.))
    with pyro.plate("units", 3):
        x = pyro.sample("x", dist.Normal(0.5, torch.exp(y / 2)))
    # centered=1 leaves u as it is; the decorator's handler is the inner one.
    w = poutine.reparam(slope, config={"u": LocScaleReparam(1.), "w": LocScaleReparam(1.)})(y)
    pyro.sample("obs", dist.Normal(x + w, 1.), obs=obs)


@poutine.reparam(config={"w": LocScaleReparam(0.3), "t": LocScaleReparam()})
def slope(y):
    t = pyro.sample("t", dist.StudentT(4., y, 2.))
    u = pyro.sample("u", dist.Normal(t, 1.))
    return pyro.sample("w", dist.Normal(u, 1.5))


model = poutine.reparam(funnel, config={"x": LocScaleReparam(centered=0.)})


def guide(obs):
    y = pyro.sample("y", dist.Normal(pyro.param("y_loc", torch.tensor(0.2)), 1.))
    with pyro.plate("units", 3):
        pyro.sample("x_decentered", dist.Normal(pyro.param("x_loc", torch.zeros(3)), 1.))
    pyro.sample("t_decentered", dist.Normal(0.1, 1.))
    pyro.sample("u", dist.Normal(0.3, 1.))
    pyro.sample("w_decentered", dist.Normal(-0.2, 1.))
""",
        {"obs": (3,)},
    ),
    # The model scores the guide's draw through the sigmoid's inverse.
    "sigmoid_transform": (
        """
def model(flips):
    p = pyro.sample("p", dist.TransformedDistribution(dist.Normal(0., 1.5),
                                                      dist.transforms.SigmoidTransform()))
    with pyro.plate("flips", 5):
        pyro.sample("flip", dist.Normal(p, 0.5), obs=flips)


def guide(flips):
    pyro.sample("p", dist.TransformedDistribution(dist.Normal(pyro.param("pl", torch.tensor(0.4)), 1.),
                                                  [transforms.SigmoidTransform()]))
""",
        {"flips": (5,)},
    ),
    # biject_to(unit interval) is a sigmoid, biject_to(interval(low, high))
    # low + (high - low) * sigmoid; Pyro's guide has an auxiliary site
    # NAME_unconstrained beside the Delta at NAME (replay_trace.py folds them).
    "autonormal_intervals": (
        """
from pyro.infer.autoguide import AutoNormal


def model(y):
    sigma = pyro.sample("sigma", dist.Uniform(0.5, 10.0))
    heavy = pyro.sample("heavy", dist.Beta(1.0, 9.0))
    shift = pyro.sample("shift", dist.Uniform(torch.tensor([-1.0, 0.0]), torch.tensor([1.0, 3.0])).to_event(1))
    with pyro.plate("data", 5):
        p = pyro.sample("p", dist.Beta(2.0, 2.0))
        pyro.sample("obs", dist.Normal(p + shift.sum(), sigma * (1.0 + heavy)), obs=y)


guide = AutoNormal(model)
""",
        {"y": (5,)},
        {"AutoNormal.locs.sigma": 0.7, "AutoNormal.scales.sigma": 0.4, "AutoNormal.locs.shift": [-0.4, 1.1],
         "AutoNormal.locs.p": [0.3, -0.5, 1.0, 0.2, -1.2], "AutoNormal.scales.p": [0.5, 0.2, 0.3, 0.9, 0.4]},
    ),
    # biject_to(simplex) is stick-breaking: K - 1 unconstrained entries onto
    # K, under a plate and alone; one Dirichlet's concentration is a latent.
    "autonormal_simplex": (
        """
from pyro.infer.autoguide import AutoNormal


def model(y):
    with pyro.plate("topics", 3):
        words = pyro.sample("words", dist.Dirichlet(torch.ones(5) * 0.5))
    weights = pyro.sample("weights", dist.Dirichlet(torch.ones(3)))
    with pyro.plate("docs", 4):
        mix = pyro.sample("mix", dist.Dirichlet(2.0 * weights))
        pyro.sample("obs", dist.Normal(mix @ words, 0.5).to_event(1), obs=y)


guide = AutoNormal(model)
""",
        {"y": (4, 5)},
        {"AutoNormal.locs.words": [[0.5, -1.0, 0.2, 1.5], [0.0, 0.3, -0.7, 0.1], [2.0, -0.2, 0.4, -1.1]],
         "AutoNormal.scales.words": [[0.3, 0.2, 0.5, 0.1]] * 3, "AutoNormal.locs.weights": [0.8, -0.6],
         "AutoNormal.scales.mix": [[0.2, 0.4]] * 4},
    ),
}


def pyro_model_sites(model, data):
    pyro.clear_param_store()
    tr = poutine.trace(model).get_trace(**data)
    out = set()
    for name, site in tr.nodes.items():
        if site["type"] == "param":
            out.add((name, "param"))
        elif site["type"] == "sample":
            if type(site["fn"]).__name__ == "MaskedDistribution" and site["fn"]._mask is False:
                continue  # a deterministic site (pyro.deterministic, a reparam's value): svic lists none
            if type(site["fn"]).__name__ == "_Subsample":
                out.add((name, "plate"))
            else:
                out.add((name, "observe" if site["is_observed"] else "sample"))
    return out


def svic_model_sites(svic, path):
    r = subprocess.run([svic, "sites", path, "--format", "json"], capture_output=True, text=True)
    if r.returncode != 0:
        return r.returncode, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    model = [p for p in doc["programs"] if p["role"] == "model"][0]
    return 0, {(s["name"], s["kind"]) for s in model["sites"]}


def main():
    svic = os.path.abspath(sys.argv[1])
    failures = checks = 0
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for name, (src, shapes, *given) in PROGRAMS.items():
            path = os.path.join(tmp, name + ".py")
            with open(path, "w") as f:
                f.write(HEADER + src)
            data = {k: (rng.standard_normal(s) if s else 1.0 + rng.random(8)).tolist() for k, s in shapes.items()}
            data_path = os.path.join(tmp, name + ".json")
            with open(data_path, "w") as f:
                json.dump(data, f)
            ns = {}
            exec(HEADER + src, ns)

            checks += 1
            expected = pyro_model_sites(ns["model"], {k: torch.tensor(v) for k, v in data.items()})
            rc, got = svic_model_sites(svic, path)
            ok = rc == 0 and got == expected
            print("PASS" if ok else "FAIL", name, "model sites",
                  "" if ok else (got if rc else f"only Pyro: {sorted(expected - got)}; only svic: {sorted(got - expected)}"))
            failures += not ok

            checks += 1
            trace = os.path.join(tmp, name + ".trace.json")
            params = []
            if given:
                params = ["--params", os.path.join(tmp, name + ".params.json")]
                with open(params[1], "w") as f:
                    json.dump(given[0], f)
            # svic finds an autoguide built in the file (`guide = AutoNormal(model)`) without --guide.
            guide = ["--guide", path] if "def guide(" in src else []
            r = subprocess.run([svic, "grad", path, *guide, "--data", data_path, "--seed", "5", *params,
                                "--trace-out", trace], capture_output=True, text=True)
            if r.returncode != 0:
                print("FAIL", name, "svic grad exit", r.returncode, r.stderr[-1500:])
                failures += 1
                continue
            p = subprocess.run([sys.executable, REPLAY, path, path, data_path, trace],
                               capture_output=True, text=True)
            out = json.loads(p.stdout) if p.stdout.strip() else {"mismatches": [p.stderr[-1500:]], "sites": []}
            ok = p.returncode == 0 and not out["mismatches"] and len(out["sites"]) > 0
            print("PASS" if ok else "FAIL", name, f"replay ({len(out['sites'])} site terms and the ELBO)",
                  "" if ok else out["mismatches"])
            failures += not ok
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
