#!/usr/bin/env python3
"""Replays one sample that `svic grad --trace-out` recorded in real Pyro 1.8.6 and compares the log-density
terms: Pyro's params are set to svic's, the guide is conditioned on svic's draws, the model is replayed against
the same draws (the values Trace_ELBO's replay gives it), and every site's log_prob_sum (scaled and masked as Pyro scales them) must
equal svic's term to 1e-6 relative (1e-9 absolute), as must the ELBO sample. What Pyro would draw or initialise
differently is taken from the trace too: nn.Dropout multiplies by svic's recorded masks (in call order, guide
first), and the modules never registered with pyro.module get svic's constant weights. Prints one JSON object;
exit 1 on a difference. Run with ../shared/reference/pyro-python, in float64.

An autoguide (`guide = AutoNormal(model)` in the file) draws each latent u on the unconstrained space at an
auxiliary site NAME_unconstrained and puts biject_to(support)(u) at a Delta site NAME whose log_density is the
Jacobian term; svic has the one site NAME. The replay conditions the auxiliary site on biject_to's inverse of svic's
draw and compares svic's NAME term with the sum of Pyro's two.

With --update-module-params, pyro.module behaves as with update_module_params=True: a module object registered
under a name that another object registered first computes with the param store's weights. svic shares a module
name's weights between the model file and the guide file; Pyro 1.8.6 by default keeps the second object's own
(and never trained) weights. The option checks svic's terms under svic's reading (cvae's prior net).

With --max-plate-nesting N, the model's sites marked for enumeration are summed out as TraceEnum_ELBO
(max_plate_nesting=N) sums them: the guide replays svic's draws, svic's one term for the summed-out sites
("model:enum:FIRST..LAST") must equal Pyro's ELBO minus its other terms, and the ELBO must equal TraceEnum_ELBO's.

Usage: replay_trace.py [--update-module-params] [--max-plate-nesting N] MODEL_PY GUIDE_PY DATA(.json|.csv|.npz|-)
                       TRACE(.json) [MODEL_FN GUIDE_FN]
"""
import inspect
import json
import math
import runpy
import sys
import warnings

import numpy as np
import torch
import pyro
from pyro import poutine
from torch.distributions import biject_to, transform_to

torch.set_default_dtype(torch.float64)
RTOL, ATOL = 1e-6, 1e-9


def load_data(path):
    """Entry arguments: integral scalars as Python ints (sizes), other scalars as floats, arrays as tensors."""
    if path == "-":
        return {}
    if path.endswith(".npz"):
        raw = {k: v for k, v in np.load(path).items()}
    elif path.endswith(".csv"):  # a header row, a column per argument
        table = np.genfromtxt(path, delimiter=",", names=True)
        raw = {k: table[k] for k in table.dtype.names}
    else:
        raw = json.load(open(path))
    data = {k: convert(v, k) for k, v in raw.items()}
    for k in INTEGER_ARRAYS & data.keys():
        data[k] = data[k].long()
    return data


# Arrays the programs use as indices (dmm's lengths go through torch.arange into index_select), passed as long
# tensors as the published benchmark passes them.
INTEGER_ARRAYS = {"mini_batch_seq_lengths"}


def convert(v, key=None):
    if isinstance(v, dict):  # a dict argument (csis's observations, mhmm's config)
        return {k: convert(x, k) for k, x in v.items()}
    integer = np.asarray(v).dtype.kind == "i"
    v = np.asarray(v, dtype=np.float64)
    if v.shape == ():
        return int(v) if float(v).is_integer() else float(v)
    # poutine.mask wants a bool tensor; svic reads 0/1 (mhmm's config["individual"]["mask"]).
    if key == "mask":
        return torch.tensor(v).bool()
    # Integer literals or an integer dtype: a long tensor, as svic reads them.
    return torch.tensor(v).long() if integer else torch.tensor(v)


def close(a, b):
    if not (math.isfinite(a) and math.isfinite(b)):  # inf - inf is NaN, and |inf - 0| <= inf
        return a == b
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


def is_delta(fn):
    while hasattr(fn, "base_dist"):  # Independent, MaskedDistribution
        fn = fn.base_dist
    return isinstance(fn, pyro.distributions.Delta)


def auxiliary_sites(tr):
    """An autoguide's auxiliary sites NAME_unconstrained -> the site NAME they are mapped to."""
    return {name: name[:-len("_unconstrained")] for name, site in tr.nodes.items()
            if site["type"] == "sample" and site["infer"].get("is_auxiliary") and name.endswith("_unconstrained")
            and name[:-len("_unconstrained")] in tr.nodes}


def entry(path, name, fallback):
    """The entry function as svic finds it: the name asked for, else `main` (the published benchmarks)."""
    scope = runpy.run_path(path, run_name="svic_replay")
    return scope[name] if name in scope else scope[fallback]


def with_none(data, *fns):
    """None for the required arguments without data that every entry takes (lda's `args`), as svic reads them."""
    sigs = [inspect.signature(fn).parameters for fn in fns]
    for params in sigs:
        for p in params.values():
            takes = all(p.name in q or any(x.kind == x.VAR_KEYWORD for x in q.values()) for q in sigs)
            if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and takes:
                data.setdefault(p.name, None)


def set_constant_modules(trace, programs):
    """Copies svic's weights of the modules never registered ("module:PROG:VAR.PATH") into the objects the
    program's globals hold (a module built inside the function is not reachable, and is left as it is)."""
    for key, value in trace.items():
        if not key.startswith("module:"):
            continue
        _, prog, path = key.split(":", 2)
        names = path.split(".")
        obj = programs[prog].__globals__.get(names[0])
        if obj is None:
            continue
        for name in names[1:]:
            obj = obj[int(name)] if name.isdigit() else getattr(obj, name)
        with torch.no_grad():
            obj.copy_(torch.as_tensor(np.asarray(value, dtype=np.float64)).reshape(obj.shape))


class RecordedDropout:
    """torch.nn.functional.dropout that multiplies by svic's recorded masks ("dropout:N"), in call order."""

    def __init__(self, trace):
        self.masks = [torch.as_tensor(np.asarray(trace["dropout:%d" % i], dtype=np.float64))
                      for i in range(sum(1 for k in trace if k.startswith("dropout:")))]
        self.calls = 0
        self.original = torch.nn.functional.dropout

    def __call__(self, input, p=0.5, training=True, inplace=False):
        if not training or p == 0:
            return input
        mask = self.masks[self.calls].reshape(input.shape)
        self.calls += 1
        return input * mask

    def __enter__(self):
        torch.nn.functional.dropout = self
        return self

    def __exit__(self, *exc):
        torch.nn.functional.dropout = self.original


def enumerated_terms(model, guide, gtr, data, max_plate_nesting):
    """The model's terms and the ELBO under TraceEnum_ELBO, the guide replaying the draws in gtr: (terms of the
    model sites that depend on no enumerated site, ELBO)."""
    for site in gtr.nodes.values():
        if site["type"] == "sample":
            site["is_observed"] = False  # replayed as draws, not as observations
    replayed = poutine.replay(guide, trace=gtr)
    elbo = pyro.infer.TraceEnum_ELBO(max_plate_nesting=max_plate_nesting)
    mtr, _ = next(elbo._get_traces(model, replayed, (), data))
    plain = {}
    for name, site in mtr.nodes.items():
        if (site["type"] != "sample" or site["infer"].get("_enumerate_dim") is not None
                or type(site["fn"]).__name__ == "_Subsample"):
            continue
        left = site["log_prob"].shape[:max(site["log_prob"].dim() - max_plate_nesting, 0)]
        if all(n == 1 for n in left):  # no enumeration dim: scaled and masked as Trace_ELBO's terms
            plain[name] = float(site["log_prob"].sum())
    return plain, -elbo.loss(model, replayed, **data)


def main(model_py, guide_py, data_path, trace_path, model_fn="model", guide_fn="guide", max_plate_nesting=None):
    warnings.simplefilter("ignore")
    model = entry(model_py, model_fn, "main")
    guide = entry(guide_py, guide_fn, "main")
    data = load_data(data_path)
    with_none(data, model, guide)
    trace = json.load(open(trace_path))
    latents = {k[len("latent:"):]: torch.as_tensor(np.asarray(v, dtype=np.float64))
               for k, v in trace.items() if k.startswith("latent:")}
    svic_latents = dict(latents)
    pyro.enable_validation(True)
    pyro.clear_param_store()
    pyro.set_rng_seed(0)
    with torch.no_grad():  # declares the params and modules of both programs
        free = poutine.trace(guide).get_trace(**data)
        # svic writes every value as a double; Pyro's draws of a Categorical are long tensors.
        latents = {k: v.to(free.nodes[k]["value"].dtype) if k in free.nodes else v for k, v in latents.items()}
        # A Delta site's value is a function of the params: Pyro computes it (svic's double may miss the point).
        points = {k for k in latents if k in free.nodes and is_delta(free.nodes[k]["fn"])}
        latents = {k: v for k, v in latents.items() if k not in points}
        prior = poutine.trace(poutine.condition(model, data=latents)).get_trace(**data)
        for aux, name in auxiliary_sites(free).items():
            if name in points:
                latents[aux] = biject_to(prior.nodes[name]["fn"].support).inv(svic_latents[name])
    store = pyro.get_param_store()
    with torch.no_grad():
        for key, value in trace.items():
            if key.startswith("param:"):
                name = key[len("param:"):]
                target = torch.as_tensor(np.asarray(value, dtype=np.float64))
                u = store._params[name]
                u.copy_(transform_to(store._constraints[name]).inv(target).reshape(u.shape))  # as the store keeps it
    set_constant_modules(trace, {"model": model, "guide": guide})
    with torch.no_grad(), RecordedDropout(trace) as dropout:
        gtr = poutine.trace(poutine.condition(guide, data=latents)).get_trace(**data)
        # The model sees the guide's values, as under Trace_ELBO's replay (which needs unobserved guide sites),
        # a Delta site's among them.
        seen = dict(latents, **{name: site["value"] for name, site in gtr.nodes.items()
                                if site["type"] == "sample" and not site["is_observed"] and is_delta(site["fn"])})
        if max_plate_nesting is None:
            mtr = poutine.trace(poutine.condition(model, data=seen)).get_trace(**data)
            mtr.compute_log_prob()
        if dropout.calls != len(dropout.masks):
            raise SystemExit("svic recorded %d dropout masks, Pyro used %d" % (len(dropout.masks), dropout.calls))
        gtr.compute_log_prob()
    rows, bad = [], []
    if max_plate_nesting is not None:
        return compare_enumerated(trace, model, guide, gtr, data, max_plate_nesting)
    folded = auxiliary_sites(gtr)
    for prog, tr in (("model", mtr), ("guide", gtr)):
        for name, site in tr.nodes.items():
            if site["type"] != "sample" or type(site["fn"]).__name__ == "_Subsample" or name in folded:
                continue
            if type(site["fn"]).__name__ == "MaskedDistribution" and site["fn"]._mask is False:
                continue  # deterministic (pyro.deterministic, a reparam's value): no term, svic has no site
            pyro_v = float(site["log_prob_sum"]) + sum(float(tr.nodes[a]["log_prob_sum"])
                                                       for a, n in folded.items() if n == name and prog == "guide")
            svic_v = trace.get("%s:%s" % (prog, name))
            ok = svic_v is not None and close(pyro_v, float(svic_v))
            rows.append({"site": "%s:%s" % (prog, name), "pyro": pyro_v, "svic": svic_v, "ok": ok})
            if not ok:
                bad.append(rows[-1])
        for key in trace:  # a term svic has and Pyro does not
            if key.startswith(prog + ":") and (key[len(prog) + 1:] not in tr.nodes or key[len(prog) + 1:] in folded):
                bad.append({"site": key, "pyro": None, "svic": trace[key], "ok": False})
    elbo = float(mtr.log_prob_sum() - gtr.log_prob_sum())
    elbo_ok = close(elbo, float(trace["elbo"]))
    if not elbo_ok:
        bad.append({"site": "elbo", "pyro": elbo, "svic": trace["elbo"], "ok": False})
    print(json.dumps({"sites": rows, "elbo": {"pyro": elbo, "svic": trace["elbo"]}, "mismatches": bad}))
    return 1 if bad else 0


def compare_enumerated(trace, model, guide, gtr, data, max_plate_nesting):
    rows, bad = [], []
    guide_terms = {name: float(site["log_prob_sum"]) for name, site in gtr.nodes.items()
                   if site["type"] == "sample" and type(site["fn"]).__name__ != "_Subsample"}
    plain, elbo = enumerated_terms(model, guide, gtr, data, max_plate_nesting)
    enum_keys = [k for k in trace if k.startswith("model:enum:")]
    pyro_terms = {"guide:" + k: v for k, v in guide_terms.items()}
    pyro_terms.update({"model:" + k: v for k, v in plain.items()})
    if len(enum_keys) == 1:
        pyro_terms[enum_keys[0]] = elbo + sum(guide_terms.values()) - sum(plain.values())
    for key in sorted(set(pyro_terms) | {k for k in trace if k.startswith(("model:", "guide:"))}):
        pyro_v, svic_v = pyro_terms.get(key), trace.get(key)
        ok = pyro_v is not None and svic_v is not None and close(pyro_v, float(svic_v))
        rows.append({"site": key, "pyro": pyro_v, "svic": svic_v, "ok": ok})
        if not ok:
            bad.append(rows[-1])
    if not close(elbo, float(trace["elbo"])):
        bad.append({"site": "elbo", "pyro": elbo, "svic": trace["elbo"], "ok": False})
    print(json.dumps({"sites": rows, "elbo": {"pyro": elbo, "svic": trace["elbo"]}, "mismatches": bad}))
    return 1 if bad else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--update-module-params":
        args = args[1:]
        by_default = pyro.module
        pyro.module = lambda name, nn_module, update_module_params=False: by_default(name, nn_module, True)
    nesting = None
    if args and args[0] == "--max-plate-nesting":
        nesting, args = int(args[1]), args[2:]
    sys.exit(main(*args, max_plate_nesting=nesting))
