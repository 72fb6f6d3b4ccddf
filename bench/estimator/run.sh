#!/usr/bin/env bash
# Native estimator figures (issue 7), side by side in one run: svic vs the hand-written C++ baselines vs
# Pyro 1.8.6. Prints the tables of the "Native estimator" section of bench/RESULTS.md.
# Usage: bench/estimator/run.sh   (BUILD = build directory, default build/; PYRO_PYTHON = the reference
# Pyro launcher, default ../shared/reference/pyro-python; NO_PYRO=1 skips Pyro; REPEATS=5; STATISTIC=median, or
# min: the fastest repeat, for a loaded machine)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# A private copy, so that a rebuild of build/driver/svic during the run cannot disturb it.
cp "$BUILD/driver/svic" "$BUILD/driver/svic-backend" "$WORK/" # svic execs svic-backend beside it
SVIC="$WORK/svic"
PYRO_PYTHON="${PYRO_PYTHON:-$ROOT/../shared/reference/pyro-python}"
[ -x "$PYRO_PYTHON" ] || PYRO_PYTHON=/work/shared/reference/pyro-python
HAND="$BUILD/bench/estimator"
if [ ! -x "$HAND/svic-spnor-hand" ] || [ ! -x "$HAND/svic-br-hand" ]; then
  # Not built by CMake (yet): build the two baselines here, -O2 as the Release build, against the runtime.
  HAND="$WORK"
  LIB="$(find "$BUILD/runtime" -name 'libsvic_runtime.a' | head -1)"
  for m in spnor br; do
    c++ -std=c++20 -O2 -I "$ROOT/runtime/include" "$ROOT/bench/estimator/${m}_hand.cpp" "$LIB" \
        -o "$HAND/svic-$m-hand"
  done
fi
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg)"
ARGS=(--repeats "${REPEATS:-5}" --statistic "${STATISTIC:-median}")
if [ -n "${NO_PYRO:-}" ]; then ARGS+=(--no-pyro); else ARGS+=(--pyro "$PYRO_PYTHON"); fi
python3 "$ROOT/bench/estimator/bench.py" "$SVIC" "$HAND" "${ARGS[@]}"
