#!/usr/bin/env bash
# Issue 10: time per SVI step and peak memory for vae, svic against Pyro 1.8.6, side by side in one run.
# Usage: bench/pyro/vae_bench.sh [SVIC_BINARY] [STEPS]     (from the repository root; default build/driver/svic, 30)
# svic: see svic_steps.sh (compilation and loading excluded). Pyro: bench/pyro/vae_pyro.py on the same data.
set -euo pipefail
svic=${1:-build/driver/svic}
steps=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/svic_steps.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$svic" simulate examples/paper/vae/model.py -o "$tmp/vae.npz" --seed 1 2>/dev/null
svic_per_step "$svic" "$steps" examples/paper/vae/model.py --guide examples/paper/vae/guide.py --data "$tmp/vae.npz"
"$here/../../../shared/reference/pyro-python" "$here/vae_pyro.py" "$tmp/vae.npz" "$steps"
