"""Pyro 1.8.6 time per SVI step for dmm (examples/paper/dmm: 20 sequences, 160 steps, 88 notes, z 100, RNN 600),
the same model and guide files svic compiles, on the same data (an .npz with the five entry arguments).

Run with the reference Pyro:  ../shared/reference/pyro-python bench/pyro/dmm_pyro.py DATA.npz [STEPS]

Trace_ELBO, Adam lr 1e-3, 1 thread, validation off (Pyro's fastest setting), float32 (PyTorch's default dtype)
and float64 (svic computes in float64). Prints one JSON object: median and mean ms per step after 2 warm-up steps,
for each dtype (also the median CPU time per step), and the peak resident memory of the process (KiB).
"""
import importlib.util
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
import pyro
from pyro.infer import SVI, Trace_ELBO
from pyro.optim import Adam

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DMM = os.path.join(ROOT, "examples", "paper", "dmm")
ARGS = ("mini_batch", "mini_batch_reversed", "mini_batch_mask", "mini_batch_seq_lengths")
WARMUP = 2


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def time_steps(dtype, data, steps):
    torch.set_default_dtype(dtype)
    model = load(os.path.join(DMM, "model.py"), "dmm_model_%s" % dtype).main
    guide = load(os.path.join(DMM, "guide.py"), "dmm_guide_%s" % dtype).main
    pyro.clear_param_store()
    pyro.set_rng_seed(0)
    svi = SVI(model, guide, Adam({"lr": 1e-3}), Trace_ELBO())
    args = [torch.tensor(data[a], dtype=dtype) for a in ARGS[:3]]
    args.append(torch.tensor(data[ARGS[3]]).long())  # lengths index with arange, as in the benchmark
    wall, cpu = [], []
    for i in range(steps + WARMUP):
        t, c = time.perf_counter(), time.process_time()
        svi.step(*args, float(data["annealing_factor"]))
        if i >= WARMUP:
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    return {"medianMs": 1e3 * statistics.median(wall), "meanMs": 1e3 * statistics.mean(wall),
            "cpuMedianMs": 1e3 * statistics.median(cpu), "steps": steps}


def main():
    torch.set_num_threads(1)
    pyro.enable_validation(False)
    data = np.load(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    out = {"pyro": pyro.__version__, "torch": torch.__version__,
           "float32": time_steps(torch.float32, data, steps), "float64": time_steps(torch.float64, data, steps),
           "peakRssKiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
