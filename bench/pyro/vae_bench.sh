#!/usr/bin/env bash
# Issue 10: time per SVI step and peak memory for vae, svic against Pyro 1.8.6, side by side in one run.
# Usage: bench/pyro/vae_bench.sh [SVIC_BINARY] [STEPS]     (from the repository root; default build/driver/svic, 30)
# svic: `svic run` for STEPS and for 0 steps on the same data; per step = the difference of CPU (user+sys) and of
# wall time over STEPS, so compilation and loading are excluded. Pyro: bench/pyro/vae_pyro.py on the same data.
set -euo pipefail
svic=${1:-build/driver/svic}
steps=${2:-30}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vae=(examples/paper/vae/model.py --guide examples/paper/vae/guide.py)
"$svic" simulate examples/paper/vae/model.py -o "$tmp/vae.npz" --seed 1 2>/dev/null
measure() { # steps -> "cpu_seconds wall_seconds peak_kib"
  /usr/bin/time -f "%U %S %e %M" -o "$tmp/time" "$svic" run "${vae[@]}" --data "$tmp/vae.npz" --steps "$1" \
    --seed 1 >/dev/null 2>&1
  awk '{print $1 + $2, $3, $4}' "$tmp/time"
}
read -r c0 w0 m0 < <(measure 0)
read -r c1 w1 m1 < <(measure "$steps")
awk -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" -v m="$m1" -v n="$steps" 'BEGIN {
  printf "svic: %.1f ms CPU, %.1f ms wall per step (%d steps), peak RSS %d KiB\n",
         1000 * (c1 - c0) / n, 1000 * (w1 - w0) / n, n, m }'
here=$(cd "$(dirname "$0")" && pwd)
"$here/../../../shared/reference/pyro-python" "$here/vae_pyro.py" "$tmp/vae.npz" "$steps"
