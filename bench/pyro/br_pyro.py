"""Pyro 1.8.6 reference figures for br: time per SVI step (and, with --train N, the trained result).

Run with the reference Pyro:
    ../shared/reference/pyro-python bench/pyro/br_pyro.py [--steps 2000] [--train 20000]

Two programs, both on ../shared/benchmarks/br-reference/data.csv (170 rows: x1, x2, y):
  br-reference   ../shared/benchmarks/br-reference/model.py (model(x1, x2, y), guide(x1, x2, y))
  paper-br       examples/paper/br/{model,guide}.py (main(is_cont_africa, ruggedness, log_gdp))
Settings as in the br-reference README: SVI(model, guide, Adam({"lr": 0.01}), Trace_ELBO(num_particles=1)),
torch.set_num_threads(1), validation off. The time per step is the median over --steps timed steps
(after 50 warm-up steps) of one svi.step() call; the time per gradient estimate is the median over as many
Trace_ELBO.loss_and_grads calls (no optimiser step).

With --train N the br-reference model is also trained for N steps from Pyro's initialisation and the final
ELBO (mean of the last min(2000, N) single-sample ELBOs) and the learnt params are reported.
Prints one JSON object.
"""
import argparse
import csv
import importlib.util
import json
import os
import statistics
import sys
import time

import torch
import pyro
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REF = os.path.abspath(os.path.join(ROOT, "..", "shared", "benchmarks", "br-reference"))
if not os.path.isdir(REF):
    REF = "/work/shared/benchmarks/br-reference"


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def read_data():
    cols = {"x1": [], "x2": [], "y": []}
    with open(os.path.join(REF, "data.csv")) as f:
        for row in csv.DictReader(f):
            for k in cols:
                cols[k].append(float(row[k]))
    return tuple(torch.tensor(cols[k]) for k in ("x1", "x2", "y"))


def time_steps(model, guide, args, steps, seed):
    pyro.clear_param_store()
    pyro.set_rng_seed(seed)
    svi = SVI(model, guide, Adam({"lr": 0.01}), Trace_ELBO(num_particles=1))
    for _ in range(50):
        svi.step(*args)
    ns = []
    for _ in range(steps):
        t0 = time.perf_counter_ns()
        svi.step(*args)
        ns.append(time.perf_counter_ns() - t0)
    # One gradient estimate alone (loss_and_grads, no optimiser step), at the params reached above.
    elbo = Trace_ELBO(num_particles=1)
    est = []
    for _ in range(steps):
        t0 = time.perf_counter_ns()
        elbo.loss_and_grads(model, guide, *args)
        est.append(time.perf_counter_ns() - t0)
    return {"steps": steps, "nsPerStepMedian": statistics.median(ns), "nsPerStepMin": min(ns),
            "nsPerEstimateMedian": statistics.median(est)}


def train(model, guide, args, steps, seed):
    pyro.clear_param_store()
    pyro.set_rng_seed(seed)
    svi = SVI(model, guide, Adam({"lr": 0.01}), Trace_ELBO(num_particles=1))
    elbos = []
    t0 = time.perf_counter()
    for _ in range(steps):
        elbos.append(-svi.step(*args))
    secs = time.perf_counter() - t0
    tail = elbos[-min(2000, steps):]
    params = {k: float(v) for k, v in pyro.get_param_store().items()}
    return {"steps": steps, "seed": seed, "seconds": secs, "elboFirst": elbos[0],
            "elboLastMean": statistics.fmean(tail), "elboLastStderr": statistics.stdev(tail) / len(tail) ** 0.5,
            "params": params}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--train", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(1)
    pyro.enable_validation(False)
    data = read_data()
    ref = load(os.path.join(REF, "model.py"), "br_reference")
    paper_model = load(os.path.join(ROOT, "examples", "paper", "br", "model.py"), "br_model").main
    paper_guide = load(os.path.join(ROOT, "examples", "paper", "br", "guide.py"), "br_guide").main
    out = {"pyro": pyro.__version__, "torch": torch.__version__, "threads": torch.get_num_threads(),
           "validation": False,
           "brReference": time_steps(ref.model, ref.guide, data, a.steps, a.seed),
           "paperBr": time_steps(paper_model, paper_guide, data, a.steps, a.seed)}
    print("timed", file=sys.stderr, flush=True)
    if a.train:
        out["brReferenceTrain"] = train(ref.model, ref.guide, data, a.train, a.seed)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
