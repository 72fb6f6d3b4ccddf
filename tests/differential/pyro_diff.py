#!/usr/bin/env python3
"""Differential check of svic's support verdicts against real Pyro (issue 8).

For every model/guide pair whose entry functions take no arguments (the support
corpus), runs `svic analyze --format json` and runs the pair under Pyro 1.8.6
with validation on: the guide traced with its params moved to random points of
their constraints, the model replayed against it, both log-densities computed.
A contradiction is
  * svic says "match" but Pyro raises (a support violation, a duplicate site,
    an invalid argument) or the guide's latent sites differ from the model's;
  * svic reports a duplicate-site error but Pyro runs without one.
An invalid distribution argument (Pyro's "Expected parameter ...") is
consistent with "match" when svic warned about it (numeric.domain): the
verdict is about the values sampled, the warning about the arguments.
Other disagreements ("unknown" where Pyro runs fine) are imprecision, not
errors. Exit status 1 on any contradiction. Run with the reference Python:
  ../shared/reference/pyro-python tests/differential/pyro_diff.py SVIC DIR...
(ctest: differential.pyro_support, over tests/support and tests/differential/cases).
"""
import contextlib
import inspect
import io
import json
import os
import runpy
import subprocess
import sys
import warnings

import torch
import pyro
from pyro import poutine

TRIALS = 12


def svic_verdict(svic, model, guide):
    out = subprocess.run([svic, "analyze", model, "--guide", guide, "--format", "json"],
                         capture_output=True, text=True, timeout=60)
    if not out.stdout.strip():
        return None, [], set()
    report = json.loads(out.stdout)
    support = report.get("supportMatch", {})
    dups = [e for e in support.get("shapeErrors", []) if e.get("kind") == "duplicate-site"]
    diags = {d.get("id") for d in report.get("diagnostics", [])}
    return support.get("verdict"), dups, diags


def latent_names(trace):
    names = set()
    for name, site in trace.nodes.items():
        if site["type"] != "sample" or site["is_observed"]:
            continue
        if type(site["fn"]).__name__ == "_Subsample":
            continue  # a plate
        names.add(name)
    return names


def randomise_params(gen):
    """Moves every param to a random point of its constraint (unconstrained
    values drawn from N(0, 3^2), then mapped through the constraint)."""
    store = pyro.get_param_store()
    with torch.no_grad():
        for name in list(store.keys()):
            u = store._params[name]
            u.copy_(torch.randn(u.shape, generator=gen, dtype=u.dtype) * 3.0)


def entry(path, name):
    with contextlib.redirect_stdout(io.StringIO()):
        g = runpy.run_path(path, run_name="svic_diff")
    fn = g.get(name)
    if fn is None or not callable(fn):
        return None
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    if any(p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
           for p in sig.parameters.values()):
        return None  # needs data
    return fn


def run_pyro(model, guide, seed):
    """None when every trial runs; else the first error (kind, message)."""
    gen = torch.Generator().manual_seed(seed)
    pyro.clear_param_store()
    pyro.set_rng_seed(seed)
    for trial in range(TRIALS):
        try:
            if trial > 0:
                randomise_params(gen)
            gtr = poutine.trace(guide).get_trace()
            mtr = poutine.trace(poutine.replay(model, trace=gtr)).get_trace()
            gtr.compute_log_prob()
            mtr.compute_log_prob()
        except Exception as e:  # any raise is a fact about the program
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            dup = "Multiple" in msg or "already in the trace" in msg or "duplicate plate" in msg
            return ("duplicate" if dup else "raises", type(e).__name__ + ": " + msg)
        g, m = latent_names(gtr), latent_names(mtr)
        if g != m:
            return ("sites", "guide samples %s, model %s" % (sorted(g), sorted(m)))
    return None


def main(argv):
    svic, dirs = argv[1], []
    for d in argv[2:]:  # a pair's directory, or a directory of them
        if os.path.exists(os.path.join(d, "model.py")):
            dirs.append(d)
        elif os.path.isdir(d):
            dirs += [os.path.join(d, e) for e in os.listdir(d)]
    pyro.enable_validation(True)
    warnings.simplefilter("ignore")
    contradictions, checked = [], 0
    for d in sorted(dirs):
        model_py, guide_py = os.path.join(d, "model.py"), os.path.join(d, "guide.py")
        if not (os.path.exists(model_py) and os.path.exists(guide_py)):
            continue
        try:
            model, guide = entry(model_py, "model"), entry(guide_py, "guide")
        except Exception:
            continue  # not runnable as a script on its own
        if model is None or guide is None:
            continue
        verdict, dups, diags = svic_verdict(svic, model_py, guide_py)
        if verdict is None:
            continue
        checked += 1
        # SVIC_DIFF_SEED shifts every pair's seed, for runs beyond the ctest's fixed sample.
        outcome = run_pyro(model, guide, seed=int(os.environ.get("SVIC_DIFF_SEED", "0")) + len(contradictions) + checked)
        name = os.path.basename(os.path.normpath(d))
        warned = (outcome is not None and "Expected parameter" in outcome[1]
                  and "numeric.domain" in diags)
        if verdict == "match" and outcome is not None and not warned:
            contradictions.append("%s: svic says match, Pyro: %s" % (name, outcome[1]))
        if dups and (outcome is None or outcome[0] != "duplicate"):
            contradictions.append("%s: svic reports a duplicate site, Pyro: %s" %
                                  (name, outcome[1] if outcome else "runs"))
        print("%-45s svic %-12s pyro %s%s" % (name, verdict + ("+dup" if dups else ""),
                                             outcome[1][:60] if outcome else "ok",
                                             " (warned)" if warned else ""))
    print("%d pairs checked, %d contradictions" % (checked, len(contradictions)))
    for c in contradictions:
        print("CONTRADICTION " + c)
    return 1 if contradictions or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
