#!/usr/bin/env bash
# Issue 10: time per SVI step and peak memory for dmm, svic against Pyro 1.8.6, side by side in one run.
# Usage: bench/pyro/dmm_bench.sh [SVIC_BINARY] [STEPS] [PYRO_STEPS]   (from the repository root; default
# build/driver/svic, 10, 3)
# Data: bench/pyro/dmm_data.py (20 sequences of lengths 40..160, numpy seed 0). svic: the default estimator (auto:
# score-function z, since the model's relu makes it non-smooth in z) and --estimator pyro (Trace_ELBO's choice,
# reparameterised z); see svic_steps.sh. Pyro: bench/pyro/dmm_pyro.py on the same data, 1 thread.
set -euo pipefail
svic=${1:-build/driver/svic}
steps=${2:-10}
pyro_steps=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/svic_steps.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/dmm_data.py" "$tmp/dmm.npz"
dmm=(examples/paper/dmm/model.py --guide examples/paper/dmm/guide.py --data "$tmp/dmm.npz")
svic_per_step "$svic" "$steps" "${dmm[@]}"
svic_per_step "$svic" "$steps" "${dmm[@]}" --estimator pyro
"$here/../../../shared/reference/pyro-python" "$here/dmm_pyro.py" "$tmp/dmm.npz" "$pyro_steps"
