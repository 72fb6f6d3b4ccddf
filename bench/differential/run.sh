#!/usr/bin/env bash
# Generated programs against real Pyro (issue 8): bench/differential/run.sh N SEED
# emits programs SEED .. SEED+N-1 (svic-property-bench --emit), checks svic's smoothness claims on each in
# Pyro 1.8.6 (tests/differential/generated_diff.py) in chunks of CHUNK programs on JOBS workers, and prints
# the summed counts. Exit 1 on any contradiction (they are printed, with the program's file kept in OUT).
# Env: BUILD (default ROOT/build), JOBS (2), CHUNK (250), OUT (a temporary directory, removed unless set),
# SVIC_DIFF_BASES (base points per program, 3; passed on to generated_diff.py).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
N="${1:?usage: run.sh N SEED}"
SEED="${2:?usage: run.sh N SEED}"
JOBS="${JOBS:-2}"
CHUNK="${CHUNK:-250}"
PYRO="$ROOT/../shared/reference/pyro-python"
if [ -z "${OUT:-}" ]; then
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT"
T0=$(date +%s)
chunks=()
for ((start = 0; start < N; start += CHUNK)); do
  n=$(( N - start < CHUNK ? N - start : CHUNK ))
  dir="$OUT/c$((SEED + start))"
  mkdir -p "$dir"
  "$BUILD/bench/svic-property-bench" --emit "$dir" "$n" "$((SEED + start))"
  chunks+=("$dir")
done
printf '%s\n' "${chunks[@]}" | xargs -P "$JOBS" -I{} sh -c \
  '"$0" "$1" "$2" "$3" > "$3.log" 2>&1 || true' "$PYRO" "$ROOT/tests/differential/generated_diff.py" \
  "$BUILD/driver/svic" {}
grep -h "^CONTRADICTION\|^refused" "$OUT"/c*.log || true
python3 - "$OUT" "$N" "$SEED" "$(( $(date +%s) - T0 ))" <<'PY'
import glob, json, sys
out, n, seed, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
total, logs = {}, sorted(glob.glob(out + "/c*.log"))
for log in logs:
    lines = [l for l in open(log) if l.startswith("STATS ")]
    if not lines:
        print("a chunk did not finish: " + log + "\n" + open(log).read()[-2000:])
        sys.exit(1)
    for k, v in json.loads(lines[-1][6:]).items():
        total[k] = total.get(k, 0) + v
print("generated_diff: %d programs from seed %s in %s s: %s" % (n, seed, secs, json.dumps(total)))
sys.exit(1 if total.get("contradictions", 1) or total.get("programs") != n else 0)
PY
