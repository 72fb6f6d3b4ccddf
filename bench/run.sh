#!/usr/bin/env bash
# Prints every figure reported in bench/RESULTS.md. Run from anywhere after
# `make build`; BUILD may point at another build directory.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
BENCH="$BUILD/bench/svic-bench"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "== machine"
echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

echo "== frontend: parse + IR of a generated 10,000-line model"
python3 "$ROOT/bench/gen_large_model.py" 10000 "$TMP/large.py"
wc -l < "$TMP/large.py"
"$BENCH" frontend "$TMP/large.py" 11

echo "== analysis: numeric + smoothness (diff, lips, cont) of the same program"
"$BENCH" analysis "$TMP/large.py" 5

echo "== the 14 paper benchmarks (per program: diff+lips+cont; per pair: support, reparam)"
"$BENCH" paper "$ROOT/examples/paper" 101

echo "== issue 9: parse + lowering of each paper pair, cold and warm (CPU)"
for D in "$ROOT"/examples/paper/*/; do "$BENCH" pair-frontend "${D%/}" 30; done

echo "== issue 9: growth curve of generated programs (CPU; RSS of svic analyze)"
BUILD="$BUILD" bash "$ROOT/bench/growth.sh"

echo "== support match over the 55-pair corpus"
"$BENCH" support-corpus "$ROOT/tests/support" 101

if [ -x "$BUILD/bench/svic-property-bench" ]; then
  echo "== smoothness soundness: 10,000 generated programs"
  "$BUILD/bench/svic-property-bench" 10000 1
fi

echo "== Table 4 / Table 5"
python3 "$ROOT/bench/tables.py" "$BUILD/driver/svic"

echo "== native estimator: svic vs hand-written C++ vs Pyro 1.8.6 (NO_PYRO=1 skips Pyro)"
BUILD="$BUILD" bash "$ROOT/bench/estimator/run.sh"
