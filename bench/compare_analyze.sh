#!/usr/bin/env bash
# Compares the output of two svic binaries, for changes that must not change
# any result (speed work): `svic analyze` as text, JSON and SARIF, and
# `--dump-ir`, on every examples/paper pair, every tests/realworld program
# and a generated large program. The JSON's parseMs/analysisMs are dropped.
#
# usage: bench/compare_analyze.sh OLD_SVIC NEW_SVIC [LARGE_LINES (default 5000)]
# Exits 1 and prints a diff at the first difference.
set -u
shopt -s nullglob
OLD=$1
NEW=$2
LINES=${3:-5000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

python3 "$ROOT/bench/gen_large_model.py" "$LINES" "$TMP/large.py" >/dev/null || exit 2

# Each case: a label, then the arguments after `analyze`.
cases=()
for d in "$ROOT"/examples/paper/*/; do
  [[ -f $d/model.py && -f $d/guide.py ]] && cases+=("$d/model.py --guide $d/guide.py")
done
for f in "$ROOT"/tests/realworld/[0-9][0-9]_*.py "$ROOT"/tests/realworld/[0-9][0-9]_*.ipynb; do
  cases+=("$f $(sed -n 's/^# svic-args: //p' "$f" | head -1)")
done
cases+=("$TMP/large.py")

run() { # BINARY ARGS... -> normalised output of every format, with exit codes
  local bin=$1
  shift
  for fmt in text json sarif; do
    "$bin" analyze "$@" --format "$fmt" 2>&1 | grep -v '"\(parseMs\|analysisMs\)"'
    echo "exit ${PIPESTATUS[0]} ($fmt)"
  done
  "$bin" analyze "$@" --dump-ir 2>&1
  echo "exit $? (dump-ir)"
}

n=0
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  run "$OLD" $c >"$TMP/old"
  # shellcheck disable=SC2086
  run "$NEW" $c >"$TMP/new"
  if ! cmp -s "$TMP/old" "$TMP/new"; then
    echo "DIFFERENT: analyze $c"
    diff "$TMP/old" "$TMP/new" | head -40
    exit 1
  fi
  n=$((n + 1))
done
echo "identical on $n programs (text, json, sarif, dump-ir)"
