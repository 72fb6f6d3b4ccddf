#!/usr/bin/env python3
"""Issue 10: time per SVI step of mhmm in real Pyro 1.8.6 (TraceEnum_ELBO, max_plate_nesting=2, Adam lr 0.05,
1 thread, validation off), on the config tests/estimator/test_benchmarks_train.py generates (3 states, 2 groups of 3
individuals, 10 steps), in float32 (PyTorch's default dtype) and float64 (svic's). Prints one JSON object: the
mean wall and CPU ms per step after 20 warm-up steps, for each dtype.

Usage: ../shared/reference/pyro-python bench/pyro/mhmm_pyro.py [STEPS]   (from the repository root)
"""
import json
import os
import random
import runpy
import sys
import time

import torch
import pyro

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "estimator"))
from test_benchmarks_train import mhmm_data  # noqa: E402


def tensors(v, dtype, key=None):
    if isinstance(v, dict):
        return {k: tensors(x, dtype, k) for k, x in v.items()}
    if not isinstance(v, list):
        return v
    t = torch.tensor(v, dtype=dtype)
    return t.bool() if key == "mask" else t


def time_steps(dtype, steps):
    torch.set_default_dtype(dtype)
    model = runpy.run_path(os.path.join(ROOT, "examples", "paper", "mhmm", "model.py"))["model"]
    guide = runpy.run_path(os.path.join(ROOT, "examples", "paper", "mhmm", "guide.py"))["guide"]
    config = tensors(mhmm_data(random.Random(0))["config"], dtype)
    pyro.clear_param_store()
    pyro.set_rng_seed(2)
    svi = pyro.infer.SVI(model, guide, pyro.optim.Adam({"lr": 0.05}), pyro.infer.TraceEnum_ELBO(max_plate_nesting=2))
    for _ in range(20):
        svi.step(config)
    t, c = time.perf_counter(), time.process_time()
    for _ in range(steps):
        svi.step(config)
    return {"wall_ms": 1000 * (time.perf_counter() - t) / steps, "cpu_ms": 1000 * (time.process_time() - c) / steps}


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    torch.set_num_threads(1)
    pyro.enable_validation(False)
    print(json.dumps({str(d).replace("torch.", ""): time_steps(d, steps) for d in (torch.float32, torch.float64)}))


if __name__ == "__main__":
    main()
