#!/usr/bin/env bash
# Runs the bad-input corpus (tests/bad-input) against a svic binary.
#
# usage: scripts/run-corpus.sh SVIC_BINARY
#
# For every line `<file> <exit code> <line>:<col> <diagnostic id> <substring>`
# of tests/bad-input/expected.txt it runs `SVIC sites <file>` in that directory
# and checks: the exit code; that stderr has a line starting with
# `<file>:<line>:<col>: error: ` (`<file>: error: ` for -:-) that names
# `[<diagnostic id>]` and contains the substring; that the process did not
# crash (exit codes 0/1/2 only, no sanitizer report). Every .py file of the
# corpus must have an expectation. Prints one line per file and a final
# `N passed, M failed` line; exits non-zero on any failure.
set -u

if [[ $# -ne 1 ]]; then
  echo "usage: $0 SVIC_BINARY" >&2
  exit 2
fi
SVIC=$1
if [[ ! -x "$SVIC" ]]; then
  echo "error: '$SVIC' is not an executable" >&2
  exit 2
fi
SVIC="$(cd "$(dirname "$SVIC")" && pwd)/$(basename "$SVIC")"
CORPUS="$(cd "$(dirname "$0")/../tests/bad-input" && pwd)"
cd "$CORPUS" || exit 2

pass=0
fail=0
declare -A expected

report_fail() {
  echo "FAIL $1: $2"
  fail=$((fail + 1))
}

while IFS= read -r line || [[ -n "$line" ]]; do
  [[ -z "${line// /}" || "$line" == \#* ]] && continue
  read -r file code pos id msg <<<"$line"
  expected["$file"]=1
  if [[ ! -f "$file" ]]; then
    report_fail "$file" "no such file in the corpus"
    continue
  fi
  stderr="$(timeout 60 "$SVIC" sites "$file" 2>&1 >/dev/null)"
  rc=$?
  if [[ $rc -ne 0 && $rc -ne 1 && $rc -ne 2 ]]; then
    report_fail "$file" "crashed or timed out (exit $rc)"
    continue
  fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' <<<"$stderr"; then
    report_fail "$file" "sanitizer report on stderr"
    continue
  fi
  if [[ $rc -ne $code ]]; then
    report_fail "$file" "exit code $rc, expected $code"
    continue
  fi
  if [[ "$pos" == "-:-" ]]; then
    prefix="$file: error: "
  else
    prefix="$file:$pos: error: "
  fi
  found=0
  while IFS= read -r l; do
    if [[ "$l" == "$prefix"* && "$l" == *"[$id]"* && "$l" == *"$msg"* ]]; then
      found=1
      break
    fi
  done <<<"$stderr"
  if [[ $found -ne 1 ]]; then
    first="$(grep -m1 ': error: ' <<<"$stderr")"
    report_fail "$file" "no diagnostic '$prefix... $msg [$id]'; first error: ${first:-<none>}"
    continue
  fi
  echo "PASS $file"
  pass=$((pass + 1))
done <expected.txt

for f in *.py; do
  if [[ -z "${expected[$f]:-}" ]]; then
    report_fail "$f" "no line in expected.txt"
  fi
done

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
