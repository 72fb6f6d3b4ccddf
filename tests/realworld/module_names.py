"""svic's names for the nn modules a program registers, against real Pyro 1.8.6.

usage: ../shared/reference/pyro-python tests/realworld/module_names.py SVIC

svic lists a registered module as one param site named as Pyro names the
module under `pyro.module` ("net$$$blocks.0.lin"); Pyro's param store holds
its weights ("net$$$blocks.0.lin.weight", "... .bias"). For each program
below, every param Pyro's trace of the model and the guide records must
belong to exactly one param site svic lists for that program, and every param
site svic lists must hold at least one of Pyro's params.
"""
import importlib.util
import json
import os
import subprocess
import sys

import pyro
import torch
from pyro import poutine

HERE = os.path.dirname(os.path.abspath(__file__))

# file -> (model, guide: expressions over the file's globals; the arguments)
PROGRAMS = {
    "07_pyro_module_self_params.py": ("model", "guide", "(torch.randn(64, 4), torch.randn(64))"),
    "57_mlp_modulelist_autodiag.py": ("Regression().model", None, "(torch.randn(6, 4), torch.randn(6))"),
    "58_residual_blocks_modulelist.py": ("model", "guide", "(torch.randn(6, 3), torch.randn(6))"),
}


def owner(param, sites):
    return [s for s in sites if param == s or param.startswith(s + ".") or param.startswith(s + "$$$")]


def main(svic):
    failures = 0
    for name, (model_expr, guide_expr, args_expr) in PROGRAMS.items():
        path = os.path.join(HERE, name)
        out = subprocess.run([svic, "sites", path, "--format", "json"], capture_output=True, text=True)
        if out.returncode != 0:
            print("FAIL %s: svic sites exited %d\n%s" % (name, out.returncode, out.stderr))
            failures += 1
            continue
        listed = json.loads(out.stdout)["programs"]
        spec = importlib.util.spec_from_file_location(name[:-3], path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        args = eval(args_expr, vars(module))
        for role, expr in (("model", model_expr), ("guide", guide_expr)):
            if expr is None:
                continue
            pyro.clear_param_store()
            trace = poutine.trace(eval(expr, vars(module))).get_trace(*args)
            pyro_params = [n for n, s in trace.nodes.items() if s["type"] == "param"]
            sites = [s["name"] for p in listed if p["role"] == role for s in p["sites"] if s["kind"] == "param"]
            bad = [p for p in pyro_params if len(owner(p, sites)) != 1]
            unused = [s for s in sites if not any(s in owner(p, [s]) for p in pyro_params)]
            if bad or unused:
                print("FAIL %s %s: Pyro params %s, svic param sites %s" % (name, role, pyro_params, sites))
                failures += 1
            else:
                print("PASS %s %s: %d params in %d sites" % (name, role, len(pyro_params), len(sites)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
