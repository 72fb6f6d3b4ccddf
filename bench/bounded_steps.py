#!/usr/bin/env python3
"""Issues 9/10: CPU time per SVI step of AutoNormal over bounded supports, svic against Pyro 1.8.6, on
tests/realworld/37_bounded_priors_autonormal.py (Uniform and Beta latents: the sigmoid map) and realworld 46's small
version in tests/estimator/programs/bounded.py and bench/bounded_topics.py (Dirichlet latents under plates:
stick-breaking, over 6 and 1000 entries), one sample per step.

Usage: ../shared/reference/pyro-python bench/bounded_steps.py [SVIC_BINARY]   (from the repository root)
svic: (CPU of `svic run --steps N` - CPU of `--steps 0`) / N, so loading and JIT compilation are excluded; CPU is
user + sys of the child. Pyro: the same model, AutoNormal, Trace_ELBO, Adam (same lr), float64 and float32, CPU
time of the process over N steps after 20 warm-up steps, one thread, validation off.
"""
import json
import os
import random
import resource
import runpy
import subprocess
import sys
import tempfile
import time

import torch
import pyro
from pyro.infer import SVI, Trace_ELBO
from pyro.infer.autoguide import AutoNormal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "estimator"))
from test_bounded import rw37_data  # noqa: E402

SVIC = sys.argv[1] if len(sys.argv) > 1 else "build/driver/svic"
RW37 = "tests/realworld/37_bounded_priors_autonormal.py"
PROG = "tests/estimator/programs/bounded.py"


def topic_data(docs, words, per_doc):
    """Word counts of `docs` documents of `per_doc` words each, drawn uniformly from `words`."""
    rng = random.Random(0)
    rows = []
    for _ in range(docs):
        row = [0.0] * words
        for _ in range(per_doc):
            row[rng.randrange(words)] += 1
        rows.append(row)
    return {"counts": rows}


# name -> (svic arguments before --data, the file and its model function for Pyro, data, steps)
CASES = {
    "realworld 37 (Uniform, Beta; 170 points)": ([RW37], (RW37, "model"), rw37_data(170), 20000),
    "topic mixtures (Dirichlet 2x6, 50x2; Gamma)": ([PROG, "--model-fn", "topic_model", "--guide-fn", "AutoNormal"],
                                                     (PROG, "topic_model"), topic_data(50, 6, 6), 5000),
    "topic mixtures (Dirichlet 4x1000, 10x4)": (["bench/bounded_topics.py", "--guide-fn", "AutoNormal"],
                                                ("bench/bounded_topics.py", "model"), topic_data(10, 1000, 20), 1000),
}


def child_cpu(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def svic_step_ms(args, data_path, steps):
    base = [SVIC, "run", *args, "--data", data_path, "--lr", "0.03", "--seed", "1"]
    return 1000 * (child_cpu(base + ["--steps", str(steps)]) - child_cpu(base + ["--steps", "0"])) / steps


def pyro_step_ms(path, fn, data, steps, dtype):
    torch.set_default_dtype(dtype)
    model = runpy.run_path(path, run_name="bench")[fn]
    args = {k: torch.tensor(v, dtype=dtype) for k, v in data.items()}
    pyro.clear_param_store()
    pyro.set_rng_seed(1)
    guide = AutoNormal(model)
    svi = SVI(model, guide, pyro.optim.Adam({"lr": 0.03}), Trace_ELBO())
    for _ in range(20):
        svi.step(**args)
    n = max(steps // 20, 200)
    start = time.process_time()
    for _ in range(n):
        svi.step(**args)
    return 1000 * (time.process_time() - start) / n


def main():
    torch.set_num_threads(1)
    pyro.enable_validation(False)
    print("| program | svic CPU ms / step | Pyro float64 | Pyro float32 |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (args, (path, fn), data, steps) in CASES.items():
            data_path = os.path.join(tmp, "data.json")
            with open(data_path, "w") as f:
                json.dump(data, f)
            svic = svic_step_ms(args, data_path, steps)
            p64 = pyro_step_ms(path, fn, data, steps, torch.float64)
            p32 = pyro_step_ms(path, fn, data, steps, torch.float32)
            print("| %s | %.4g | %.4g | %.4g |" % (name, svic, p64, p32), flush=True)


if __name__ == "__main__":
    main()
