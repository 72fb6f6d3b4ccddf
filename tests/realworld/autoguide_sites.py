"""svic's synthesised autoguides against real Pyro 1.8.6.

usage: ../shared/reference/pyro-python tests/realworld/autoguide_sites.py SVIC

For every model below and every autoguide class, builds the autoguide with
Pyro, traces it, and checks that `svic sites FILE --guide-fn CLASS --format
json` lists the same params, latent sample sites and plates. Pyro's
auxiliary sites (`z_unconstrained`, `_AutoNormal..._latent`) are left out:
svic folds each into the site it is mapped to (frontend/src/AutoGuide.h).
The site list does not print shapes; AutoNormal's param shapes are compared on SHAPE_MODELS from one `svic grad --trace-out` sample. Where Pyro
raises while building the guide (discrete latents, sequential plates), svic
must exit 2 with a frontend.autoguide error.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pyro
import pyro.distributions as dist  # noqa: F401 (used by the model sources)
import torch  # noqa: F401
from pyro import poutine
from pyro.infer import autoguide

CLASSES = [
    "AutoNormal",
    "AutoDiagonalNormal",
    "AutoMultivariateNormal",
    "AutoLowRankMultivariateNormal",
    "AutoDelta",
    "AutoLaplaceApproximation",
]

HEADER = """import torch
import torch.nn as nn
import pyro
import pyro.distributions as dist
from pyro import poutine
from pyro.nn import PyroModule, PyroParam, PyroSample
from torch.distributions import constraints
"""

# name -> (source defining `model`, Python expression for its arguments)
MODELS = {
    "regression": (
        """
def model(x, y):
    w = pyro.sample("w", dist.Normal(torch.zeros(3), 1.0).to_event(1))
    b = pyro.sample("b", dist.Normal(0.0, 10.0))
    sigma = pyro.sample("sigma", dist.HalfNormal(1.0))
    with pyro.plate("data", 20):
        pyro.sample("obs", dist.Normal(x @ w + b, sigma), obs=y)
""",
        "(torch.randn(20, 3), torch.randn(20))",
    ),
    "hierarchical": (
        """
def model(y):
    mu = pyro.sample("mu", dist.Normal(0.0, 5.0))
    tau = pyro.sample("tau", dist.LogNormal(0.0, 1.0))
    with pyro.plate("schools", 8):
        theta = pyro.sample("theta", dist.Normal(mu, tau))
        pyro.sample("obs", dist.Normal(theta, 1.0), obs=y)
""",
        "(torch.randn(8),)",
    ),
    "expand_nested_plates": (
        """
def model(y):
    scale = pyro.sample("scale", dist.Gamma(2.0, 2.0))
    loc = pyro.sample("loc", dist.Normal(0.0, 1.0).expand([2]).to_event(1))
    with pyro.plate("groups", 3, dim=-2):
        g = pyro.sample("g", dist.Normal(0.0, 1.0))
        with pyro.plate("items", 4, dim=-1):
            pyro.sample("obs", dist.Normal(g + loc.sum(), scale), obs=y)
""",
        "(torch.randn(3, 4),)",
    ),
    "bounded_supports": (
        """
def model(y):
    sigma = pyro.sample("sigma", dist.Uniform(0.5, 10.0))
    heavy = pyro.sample("heavy", dist.Beta(1.0, 9.0))
    with pyro.plate("data", 5):
        p = pyro.sample("p", dist.Beta(2.0, 2.0))
        pyro.sample("obs", dist.Normal(p, sigma * (1.0 + heavy)), obs=y)
""",
        "(torch.randn(5),)",
    ),
    "block_hide": (
        """
def model(y):
    a = pyro.sample("a", dist.Normal(0.0, 1.0))
    b = pyro.sample("b", dist.Exponential(1.0))
    pyro.sample("obs", dist.Normal(a, b), obs=y)
""",
        "(torch.tensor(0.5),)",
    ),
    "block_expose_templates": (
        """
def model(y):
    mu = pyro.sample("mu", dist.Normal(0.0, 1.0))
    for t in range(3):
        z = pyro.sample(f"z_{t}", dist.Normal(mu, 1.0))
        pyro.sample(f"obs_{t}", dist.Normal(z, 1.0), obs=y[t])
""",
        "(torch.tensor([0.5, 1.0, 1.5]),)",
    ),
    "discrete": (
        """
def model(y):
    c = pyro.sample("c", dist.Bernoulli(0.3))
    pyro.sample("obs", dist.Normal(c, 1.0), obs=y)
""",
        "(torch.tensor(1.0),)",
    ),
    # The regression tutorial: the model is a PyroModule object.
    "pyromodule_regression": (
        """
class BayesianRegression(PyroModule):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.linear = PyroModule[nn.Linear](in_features, out_features)
        self.linear.weight = PyroSample(dist.Normal(0., 1.).expand([out_features, in_features]).to_event(2))
        self.linear.bias = PyroSample(dist.Normal(0., 10.).expand([out_features]).to_event(1))
        self.noise = PyroParam(torch.tensor(0.5), constraint=constraints.positive)

    def forward(self, x, y=None):
        sigma = pyro.sample("sigma", dist.LogNormal(0., 1.))
        mean = self.linear(x).squeeze(-1)
        with pyro.plate("data", x.shape[0]):
            pyro.sample("obs", dist.Normal(mean, sigma + self.noise), obs=y)


model = BayesianRegression(3, 1)
""",
        "(torch.randn(10, 3), torch.randn(10))",
    ),
    "sequential_plate": (
        """
def model(y):
    for i in pyro.plate("steps", 3):
        x = pyro.sample("x_{}".format(i), dist.Normal(0.0, 1.0))
        pyro.sample("obs_{}".format(i), dist.Normal(x, 1.0), obs=y[i])
""",
        "(torch.randn(3),)",
    ),
    # Simplex latents: biject_to(simplex) is stick-breaking (K - 1 unconstrained entries).
    "topics_dirichlet": (
        """
def model(counts):
    with pyro.plate("topics", 2):
        words = pyro.sample("words", dist.Dirichlet(torch.ones(5) / 5))
    with pyro.plate("docs", counts.shape[0]):
        mix = pyro.sample("mix", dist.Dirichlet(torch.ones(2)))
        pyro.sample("obs", dist.Multinomial(probs=mix @ words, validate_args=False), obs=counts)
""",
        "(torch.ones(4, 5),)",
    ),
    # Distributions svic does not model: their sites are found, and the
    # autoguide's params for them named as Pyro names them.
    "opaque_distributions": (
        """
def model(y):
    s = pyro.sample("s", dist.AsymmetricLaplace(0.0, 1.0, 2.0))
    with pyro.plate("data", 10):
        pyro.sample("obs", dist.ZeroInflatedPoisson(torch.exp(s) * torch.ones(10), gate=torch.tensor(0.2)),
                    obs=y)
""",
        "(torch.ones(10),)",
    ),
}

# A poutine.block around the model, written into the file as
# `guide = CLASS(poutine.block(model, ...))` (svic reads it) and applied to
# Pyro's model the same way.
BLOCKS = {"block_hide": {"hide": ["b"]}, "block_expose_templates": {"expose": ["mu"]}}


def pyro_sites(model, args, cls):
    pyro.clear_param_store()
    guide = getattr(autoguide, cls)(model)
    tr = poutine.trace(guide).get_trace(*args)
    out = set()
    for name, site in tr.nodes.items():
        if site["type"] == "param":
            out.add((name, "param"))
        elif site["type"] == "sample":
            if site.get("infer", {}).get("is_auxiliary"):
                continue
            kind = "plate" if type(site["fn"]).__name__ == "_Subsample" else "sample"
            out.add((name, kind))
    return out


def svic_sites(svic, path, cls):
    r = subprocess.run(
        [svic, "sites", path, "--guide-fn", cls, "--format", "json"],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        return r.returncode, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    guide = [p for p in doc["programs"] if p["role"] == "guide"]
    return 0, {(s["name"], s["kind"]) for s in guide[0]["sites"]}


# Param shapes: AutoNormal's per-site params have the site's unconstrained
# value shape, the plates' batch dims included, in Pyro; svic's must too (read
# from one sample of `svic grad --trace-out`; AutoDelta shares the code but
# svic grad refuses its point masses). name -> (model source, data).
SHAPE_MODELS = {
    "plate_normal": (
        """
def model(x):
    with pyro.plate("data", 5):
        z = pyro.sample("z", dist.Normal(0., 1.))
        pyro.sample("obs", dist.Normal(z, 1.), obs=x)
""",
        {"x": [0.1, 0.2, 0.3, 0.4, 0.5]},
    ),
    "nested_dims_positive_event": (
        """
def model(y):
    scale = pyro.sample("scale", dist.HalfNormal(1.))
    with pyro.plate("rows", 4, dim=-2):
        r = pyro.sample("r", dist.LogNormal(0., 1.))
        with pyro.plate("cols", 3, dim=-1):
            c = pyro.sample("c", dist.Normal(torch.zeros(2), 1.).to_event(1))
            pyro.sample("obs", dist.Normal(r * c.sum(-1), scale), obs=y)
""",
        {"y": [[0.5, 1.0, 1.5]] * 4},
    ),
}


def shape_checks(svic, tmp):
    failures = checks = 0
    for name, (src, data) in SHAPE_MODELS.items():
        ns = {}
        exec(HEADER + src, ns)
        args = {k: torch.tensor(v) for k, v in data.items()}
        data_path = os.path.join(tmp, f"{name}.json")
        with open(data_path, "w") as f:
            json.dump(data, f)
        for cls in ["AutoNormal"]:
            checks += 1
            pyro.clear_param_store()
            getattr(autoguide, cls)(ns["model"])(**args)
            expected = {k: tuple(v.shape) for k, v in pyro.get_param_store().items()}
            path = os.path.join(tmp, f"{name}_{cls}_shapes.py")
            trace = os.path.join(tmp, f"{name}_{cls}_trace.json")
            with open(path, "w") as f:
                f.write(HEADER + src)
            r = subprocess.run([svic, "grad", path, "--guide-fn", cls, "--data", data_path, "--trace-out", trace],
                               capture_output=True, text=True)
            if r.returncode:
                got = r.stderr[-500:]
            else:
                t = json.load(open(trace))
                got = {k[len("param:"):]: np.shape(v) for k, v in t.items() if k.startswith("param:")}
            ok = got == expected
            print(("PASS" if ok else "FAIL"), name, cls, "param shapes", "" if ok else f"Pyro {expected}, svic {got}")
            failures += not ok
    return checks, failures


# AutoGuideList: model name -> its parts, each (class, poutine.block keywords), appended in order. Pyro names a
# part's params after its index (`AutoGuideList.0.locs.a`, `AutoGuideList.1.loc`).
LISTS = {
    "regression": [("AutoNormal", {"hide": ["w"]}), ("AutoDiagonalNormal", {"expose": ["w"]})],
    "hierarchical": [("AutoDelta", {"expose": ["mu"]}), ("AutoNormal", {"hide": ["mu"]})],
    "bounded_supports": [("AutoMultivariateNormal", {"hide": ["p"]}), ("AutoDelta", {"expose": ["p"]})],
}


def list_checks(svic, tmp):
    checks = failures = 0
    for name, parts in LISTS.items():
        src, args_src = MODELS[name]
        text = HEADER + src + "\n\nguide = autoguide.AutoGuideList(model)\n"
        for cls, block in parts:
            kw = ", ".join(f"{k}={v!r}" for k, v in block.items())
            text += f"guide.append(autoguide.{cls}(poutine.block(model, {kw})))\n"
        path = os.path.join(tmp, f"{name}_list.py")
        with open(path, "w") as f:
            f.write("from pyro.infer import autoguide\n" + text)
        ns = {"autoguide": autoguide}
        pyro.clear_param_store()
        exec(text, ns)
        tr = poutine.trace(ns["guide"]).get_trace(*eval(args_src, ns))
        expected = {(n, "param") for n, site in tr.nodes.items() if site["type"] == "param"}
        expected |= {(n, "plate" if type(site["fn"]).__name__ == "_Subsample" else "sample")
                     for n, site in tr.nodes.items()
                     if site["type"] == "sample" and not site.get("infer", {}).get("is_auxiliary")}
        r = subprocess.run([svic, "sites", path, "--format", "json"], capture_output=True, text=True)
        got = set()
        if r.returncode == 0:
            guide = [p for p in json.loads(r.stdout)["programs"] if p["role"] == "guide"]
            got = {(x["name"], x["kind"]) for x in guide[0]["sites"]} if guide else set()
        ok = r.returncode == 0 and got == expected
        checks += 1
        failures += not ok
        print("PASS" if ok else "FAIL", name, "AutoGuideList",
              "" if ok else f"exit {r.returncode}; only Pyro: {sorted(expected - got)}; only svic: "
                            f"{sorted(got - expected)} {r.stderr[:300]}")
    return checks, failures


def main():
    svic = os.path.abspath(sys.argv[1])
    failures = checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        checks, failures = shape_checks(svic, tmp)
        list_checked, list_failed = list_checks(svic, tmp)
        checks += list_checked
        failures += list_failed
        for name, (src, args_src) in MODELS.items():
            block = BLOCKS.get(name)
            text = HEADER + src
            ns = {}
            exec(text, ns)
            model = ns["model"]
            if block:
                model = poutine.block(model, **block)
            for cls in CLASSES:
                path = os.path.join(tmp, f"{name}_{cls}.py")
                with open(path, "w") as f:
                    f.write(text)
                    if block:
                        kw = ", ".join(f"{k}={v!r}" for k, v in block.items())
                        f.write(f"\n\nguide = {cls}(poutine.block(model, {kw}))\n")
                args = eval(args_src, ns)
                checks += 1
                try:
                    expected = pyro_sites(model, args, cls)
                except (ValueError, NotImplementedError, RuntimeError) as e:
                    expected = e
                rc, got = svic_sites(svic, path, cls)
                if isinstance(expected, Exception):
                    ok = rc == 2 and "frontend.autoguide" in got
                    detail = f"Pyro raises {type(expected).__name__}; svic exit {rc}: {got[:300]}"
                else:
                    ok = rc == 0 and got == expected
                    detail = (
                        f"svic exit {rc}: {got}"
                        if rc
                        else f"only Pyro: {sorted(expected - got)}; only svic: {sorted(got - expected)}"
                    )
                print(("PASS" if ok else "FAIL"), name, cls, "" if ok else detail)
                failures += not ok
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
