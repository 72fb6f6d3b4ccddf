#!/usr/bin/env python3
"""Real Pyro 1.8.6's Trace_ELBO gradient on a program file (its `model` and `guide`) at fixed params: the mean and
standard error over N single-particle estimates, as JSON {param: {"mean": [...], "stderr": [...]}} with the
gradient of the ELBO (ascent direction, svic's sign). Run with ../shared/reference/pyro-python.

Usage: program_grad.py MODEL_PY DATA_JSON PARAMS_JSON N SEED
"""
import json
import runpy
import sys

import torch
import pyro
from pyro.infer import Trace_ELBO

torch.set_default_dtype(torch.float64)


def main(model_py, data_json, params_json, n, seed):
    g = runpy.run_path(model_py)
    data = {k: torch.tensor(v) for k, v in json.load(open(data_json)).items()}
    params = json.load(open(params_json))
    pyro.set_rng_seed(seed)
    pyro.clear_param_store()
    elbo = Trace_ELBO()
    elbo.loss(g["model"], g["guide"], **data)  # declares the params with their constraints
    store = pyro.get_param_store()
    for name, value in params.items():
        store[name] = torch.tensor(value)
    sums, squares = {}, {}
    for _ in range(n):
        for name in params:
            p = store.get_param(name).unconstrained()
            if p.grad is not None:
                p.grad.zero_()
        elbo.loss_and_grads(g["model"], g["guide"], **data)
        for name in params:
            grad = -store.get_param(name).unconstrained().grad.detach().reshape(-1)  # loss = -ELBO
            sums[name] = sums.get(name, 0) + grad
            squares[name] = squares.get(name, 0) + grad * grad
    out = {}
    for name in params:
        mean = sums[name] / n
        var = (squares[name] / n - mean * mean) * n / (n - 1)
        out[name] = {"mean": mean.tolist(), "stderr": (var / n).sqrt().tolist()}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
