#!/usr/bin/env bash
# Runs the real-world corpus (tests/realworld) against a svic binary.
#
# usage: tests/realworld/run.sh SVIC_BINARY [--update]
#
# Every NN_name.py is a Pyro program written the way published code is
# (classes with forward, an argparse main, early returns, ...), or a
# notebook NN_name.ipynb. Its first lines may hold `# svic-args: ...` (extra
# options). The expected verdict,
# NN_name.expected, is the output of `svic sites FILE` followed by the
# summary of `svic analyze FILE` (sites, smoothness facts, support match and
# reparameterisation); both commands must exit 0. --update rewrites the
# expectations (review the diff before committing).
set -u
shopt -s nullglob
SVIC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
UPDATE=${2:-}
cd "$(dirname "$0")" || exit 2
pass=0
fail=0
for f in [0-9][0-9]_*.py [0-9][0-9]_*.ipynb; do
  args=$(sed -n 's/^# svic-args: //p' "$f" | head -1)
  # shellcheck disable=SC2086
  sites=$("$SVIC" sites "$f" $args 2>&1)
  rc1=$?
  # shellcheck disable=SC2086
  summary=$("$SVIC" analyze "$f" $args 2>/dev/null | sed -n '/^summary/,$p')
  rc2=${PIPESTATUS[0]}
  actual=$(printf '%s\n%s\n' "$sites" "$summary")
  exp=${f%.*}.expected
  if [[ "$UPDATE" == "--update" ]]; then
    printf '%s\n' "$actual" >"$exp"
  fi
  if [[ $rc1 -ne 0 || $rc2 -ne 0 ]]; then
    echo "FAIL $f: exit codes $rc1 (sites), $rc2 (analyze)"
    printf '%s\n' "$sites" | head -5
    fail=$((fail + 1))
  elif ! diff -u "$exp" <(printf '%s\n' "$actual"); then
    echo "FAIL $f: output differs from $exp"
    fail=$((fail + 1))
  else
    echo "PASS $f"
    pass=$((pass + 1))
  fi
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
