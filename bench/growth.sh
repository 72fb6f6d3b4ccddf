#!/usr/bin/env bash
# The growth curve of issue 9 (bench/RESULTS.md, "Issue 9 — speed"): for
# generated model+guide programs of 1k ... 40k lines, the minimum CPU time of each
# stage over REPS runs (parse; lowering; numeric pre-analysis; smoothness per
# property; support match; reparameterisation; all analyses, model and guide
# together) and the peak RSS of the whole `svic analyze` process.
# Usage: bench/growth.sh [SIZES...]   (BUILD, REPS may be set)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
REPS="${REPS:-5}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 2000 5000 10000 20000 40000)
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

printf '%7s %8s %8s %8s %8s %8s %8s %8s %8s %9s %8s\n' lines parse lower numeric diff lips \
  cont support reparam analysis 'RSS MB'
for N in "${SIZES[@]}"; do
  python3 "$ROOT/bench/gen_large_model.py" "$N" "$TMP/m$N.py"
  Row="$("$BUILD/bench/svic-bench" growth "$TMP/m$N.py" "$REPS")"
  /usr/bin/time -f '%M' -o "$TMP/rss" "$BUILD/driver/svic" analyze "$TMP/m$N.py" >/dev/null
  printf '%s %8.1f\n' "$Row" "$(awk '{print $1 / 1024}' "$TMP/rss")"
done
echo "(CPU ms of svic-bench growth, minimum of $REPS runs; RSS: peak of 'svic analyze FILE')"
