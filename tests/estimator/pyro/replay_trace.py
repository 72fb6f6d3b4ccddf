#!/usr/bin/env python3
"""Replays one sample that `svic grad --trace-out` recorded in real Pyro 1.8.6 and compares the log-density
terms: Pyro's params are set to svic's, the guide is conditioned on svic's draws, the model is replayed against
the same draws (the values Trace_ELBO's replay gives it), and every site's log_prob_sum (scaled and masked as Pyro scales them) must
equal svic's term to 1e-6 relative (1e-9 absolute), as must the ELBO sample. Prints one JSON object; exit 1 on a
difference. Run with ../shared/reference/pyro-python, in float64.

Usage: replay_trace.py MODEL_PY GUIDE_PY DATA(.json|.csv|.npz|-) TRACE(.json) [MODEL_FN GUIDE_FN]
"""
import json
import runpy
import sys
import warnings

import numpy as np
import torch
import pyro
from pyro import poutine
from torch.distributions import transform_to

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
    data = {k: convert(v) for k, v in raw.items()}
    for k in INTEGER_ARRAYS & data.keys():
        data[k] = data[k].long()
    return data


# Arrays the programs use as indices (dmm's lengths go through torch.arange into index_select), passed as long
# tensors as the published benchmark passes them.
INTEGER_ARRAYS = {"mini_batch_seq_lengths"}


def convert(v):
    if isinstance(v, dict):  # a dict argument (csis's observations)
        return {k: convert(x) for k, x in v.items()}
    v = np.asarray(v, dtype=np.float64)
    if v.shape == ():
        return int(v) if float(v).is_integer() else float(v)
    return torch.tensor(v)


def close(a, b):
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


def entry(path, name, fallback):
    """The entry function as svic finds it: the name asked for, else `main` (the published benchmarks)."""
    scope = runpy.run_path(path, run_name="svic_replay")
    return scope[name] if name in scope else scope[fallback]


def main(model_py, guide_py, data_path, trace_path, model_fn="model", guide_fn="guide"):
    warnings.simplefilter("ignore")
    model = entry(model_py, model_fn, "main")
    guide = entry(guide_py, guide_fn, "main")
    data = load_data(data_path)
    trace = json.load(open(trace_path))
    latents = {k[len("latent:"):]: torch.as_tensor(np.asarray(v, dtype=np.float64))
               for k, v in trace.items() if k.startswith("latent:")}
    pyro.enable_validation(True)
    pyro.clear_param_store()
    pyro.set_rng_seed(0)
    with torch.no_grad():  # declares the params and modules of both programs
        free = poutine.trace(guide).get_trace(**data)
        # svic writes every value as a double; Pyro's draws of a Categorical are long tensors.
        latents = {k: v.to(free.nodes[k]["value"].dtype) if k in free.nodes else v for k, v in latents.items()}
        poutine.trace(poutine.condition(model, data=latents)).get_trace(**data)
    store = pyro.get_param_store()
    with torch.no_grad():
        for key, value in trace.items():
            if key.startswith("param:"):
                name = key[len("param:"):]
                target = torch.as_tensor(np.asarray(value, dtype=np.float64))
                u = store._params[name]
                u.copy_(transform_to(store._constraints[name]).inv(target).reshape(u.shape))  # as the store keeps it
    with torch.no_grad():
        gtr = poutine.trace(poutine.condition(guide, data=latents)).get_trace(**data)
        # The model sees the guide's values, as under Trace_ELBO's replay (which needs unobserved guide sites).
        mtr = poutine.trace(poutine.condition(model, data=latents)).get_trace(**data)
        gtr.compute_log_prob()
        mtr.compute_log_prob()
    rows, bad = [], []
    for prog, tr in (("model", mtr), ("guide", gtr)):
        for name, site in tr.nodes.items():
            if site["type"] != "sample" or type(site["fn"]).__name__ == "_Subsample":
                continue
            pyro_v = float(site["log_prob_sum"])
            svic_v = trace.get("%s:%s" % (prog, name))
            ok = svic_v is not None and close(pyro_v, float(svic_v))
            rows.append({"site": "%s:%s" % (prog, name), "pyro": pyro_v, "svic": svic_v, "ok": ok})
            if not ok:
                bad.append(rows[-1])
        for key in trace:  # a term svic has and Pyro does not
            if key.startswith(prog + ":") and key[len(prog) + 1:] not in tr.nodes:
                bad.append({"site": key, "pyro": None, "svic": trace[key], "ok": False})
    elbo = float(mtr.log_prob_sum() - gtr.log_prob_sum())
    elbo_ok = close(elbo, float(trace["elbo"]))
    if not elbo_ok:
        bad.append({"site": "elbo", "pyro": elbo, "svic": trace["elbo"], "ok": False})
    print(json.dumps({"sites": rows, "elbo": {"pyro": elbo, "svic": trace["elbo"]}, "mismatches": bad}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
