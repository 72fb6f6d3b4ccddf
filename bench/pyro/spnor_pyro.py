"""Pyro 1.8.6 reference figures for spnor (examples/paper/spnor): gradient, bias and speed.

Run with the reference Pyro:  ../shared/reference/pyro-python bench/pyro/spnor_pyro.py [--quick]

Prints one JSON object:
  traceElbo[theta]        Trace_ELBO gradient of the ELBO (ascent direction) w.r.t. theta1, theta2:
                          mean and stderr over K single-sample estimates of the real model (the `if z2 > 0`
                          form, one particle per call), plus a vectorised estimate at 10^6 samples (the
                          branch written with torch.where, which Pyro's Trace_ELBO differentiates identically:
                          both reparameterise z2 and neither sees the jump)
  traceGraphElbo[theta]   TraceGraph_ELBO with z2 made a score site (has_rsample False): biased on theta2,
                          because Pyro's provenance tracking loses the `if z2 > 0` control dependence
  timing                  median ns per single-sample estimate (loss_and_grads, 1 thread, validation off)
                          for Trace_ELBO and TraceGraph_ELBO, and ns per sample of one vectorised
                          Trace_ELBO call with num_particles=10000 (torch.where form), and the median ns
                          per SVI step (Adam lr 0.01, Trace_ELBO, one particle)
The sign is flipped from Pyro's loss gradient so that every figure is d ELBO / d theta.
"""
import importlib.util
import json
import os
import statistics
import sys
import time

import torch
import pyro
import pyro.distributions as dist
from pyro.infer import Trace_ELBO, TraceGraph_ELBO
from pyro.poutine.messenger import Messenger

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPNOR = os.path.join(ROOT, "examples", "paper", "spnor")


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


model = load(os.path.join(SPNOR, "model.py"), "spnor_model").model
guide = load(os.path.join(SPNOR, "guide.py"), "spnor_guide").guide


def model_where():
    """spnor's model with the branch as torch.where (same density; vectorisable)."""
    z1 = pyro.sample("z1", dist.Normal(0., 5.))
    z2 = pyro.sample("z2", dist.Normal(z1, 3.))
    pos = z2 > 0
    pyro.sample("x", dist.Normal(torch.where(pos, torch.tensor(1.), torch.tensor(-2.)), 1.),
                obs=torch.zeros(z2.shape))


class ScoreZ2(Messenger):
    """Makes the guide's z2 a non-reparameterised (score-function) site."""

    def _pyro_sample(self, msg):
        if msg["name"] == "z2":
            msg["fn"] = msg["fn"].has_rsample_(False)


def guide_score_z2():
    with ScoreZ2():
        guide()


def set_theta(t1, t2):
    pyro.clear_param_store()
    pyro.param("theta1", torch.tensor(float(t1)))
    pyro.param("theta2", torch.tensor(float(t2)))
    ps = pyro.get_param_store()
    return [ps._params["theta1"], ps._params["theta2"]]   # the unconstrained leaf tensors


def single_estimates(elbo, mdl, gd, theta, k):
    """k single-sample gradient estimates: (per-sample ascent gradients, per-call ns)."""
    leaves = set_theta(*theta)
    grads, ns = [], []
    for _ in range(k):
        for p in leaves:
            p.grad = None
        t0 = time.perf_counter_ns()
        elbo.loss_and_grads(mdl, gd)
        t1 = time.perf_counter_ns()
        ns.append(t1 - t0)
        grads.append([-float(p.grad) for p in leaves])
    return grads, ns


def mean_stderr(rows):
    out = []
    for j in range(len(rows[0])):
        col = [r[j] for r in rows]
        m = statistics.fmean(col)
        sd = statistics.stdev(col)
        out.append((m, sd / len(col) ** 0.5))
    return out


def vectorised(theta, particles, batches):
    """Trace_ELBO, vectorize_particles=True, torch.where model: the mean over `batches` calls of
    `particles` particles each; stderr from the spread of the batch means."""
    elbo = Trace_ELBO(num_particles=particles, vectorize_particles=True, max_plate_nesting=0)
    leaves = set_theta(*theta)
    rows, ns = [], []
    for _ in range(batches):
        for p in leaves:
            p.grad = None
        t0 = time.perf_counter_ns()
        elbo.loss_and_grads(model_where, guide)
        t1 = time.perf_counter_ns()
        ns.append((t1 - t0) / particles)
        rows.append([-float(p.grad) for p in leaves])
    return rows, ns


def svi_steps(steps):
    """ns per SVI step: Adam lr 0.01, Trace_ELBO, one particle, from theta = (1, 1)."""
    from pyro.infer import SVI
    from pyro.optim import Adam
    set_theta(1.0, 1.0)
    svi = SVI(model, guide, Adam({"lr": 0.01}), Trace_ELBO())
    for _ in range(50):
        svi.step()
    ns = []
    for _ in range(steps):
        t0 = time.perf_counter_ns()
        svi.step()
        ns.append(time.perf_counter_ns() - t0)
    return statistics.median(ns)


def fmt(stats):
    return {name: {"mean": m, "stderr": s} for name, (m, s) in zip(("theta1", "theta2"), stats)}


def main():
    quick = "--quick" in sys.argv
    torch.set_num_threads(1)
    pyro.enable_validation(False)
    pyro.set_rng_seed(20261205)
    k_trace = 400 if quick else 10000
    k_graph = 300 if quick else 10000
    batches = 10 if quick else 100
    out = {"pyro": pyro.__version__, "torch": torch.__version__, "threads": torch.get_num_threads(),
           "validation": False, "traceElbo": {}, "traceGraphElbo": {}, "timing": {}}
    trace_ns, graph_ns, vec_ns = [], [], []
    for theta in ((1.0, 1.0), (0.5, -0.5)):
        key = "%g,%g" % theta
        grads, ns = single_estimates(Trace_ELBO(), model, guide, theta, k_trace)
        trace_ns += ns
        vrows, vns = vectorised(theta, 10000, batches)
        vec_ns += vns
        out["traceElbo"][key] = {"K": k_trace, "gradient": fmt(mean_stderr(grads)),
                                 "vectorised": {"K": 10000 * batches, "gradient": fmt(mean_stderr(vrows))}}
        grads, ns = single_estimates(TraceGraph_ELBO(), model, guide_score_z2, theta, k_graph)
        graph_ns += ns
        out["traceGraphElbo"][key] = {"K": k_graph, "gradient": fmt(mean_stderr(grads))}
        print("done theta", key, file=sys.stderr, flush=True)
    out["timing"] = {
        "traceElboNsPerEstimate": statistics.median(trace_ns),
        "traceGraphElboNsPerEstimate": statistics.median(graph_ns),
        "vectorised10000NsPerSample": statistics.median(vec_ns),
        "traceElboNsPerSviStep": svi_steps(200 if quick else 2000),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
