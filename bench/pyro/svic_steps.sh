# Sourced by the side-by-side benches (vae_bench.sh, dmm_bench.sh): svic's time per SVI step and peak memory.

# svic_measure SVIC STEPS ARGS... -> "cpu_seconds wall_seconds peak_kib" of `SVIC run ARGS... --steps STEPS`.
svic_measure() {
  local svic=$1 steps=$2 out
  shift 2
  out=$(mktemp)
  /usr/bin/time -f "%U %S %e %M" -o "$out" "$svic" run "$@" --steps "$steps" --seed 1 >/dev/null 2>&1
  awk '{print $1 + $2, $3, $4}' "$out"
  rm -f "$out"
}

# svic_per_step SVIC STEPS ARGS...: runs STEPS steps and 0 steps (compilation and loading alone); per step = the
# difference of CPU (user+sys) and of wall time over STEPS, so compilation is excluded. Prints one line.
svic_per_step() {
  local svic=$1 steps=$2 c0 w0 m0 c1 w1 m1
  shift 2
  read -r c0 w0 m0 < <(svic_measure "$svic" 0 "$@")
  read -r c1 w1 m1 < <(svic_measure "$svic" "$steps" "$@")
  awk -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" -v m="$m1" -v n="$steps" -v a="$*" 'BEGIN {
    printf "svic %s: %.1f ms CPU, %.1f ms wall per step (%d steps), peak RSS %d KiB; 0 steps: %.2f s CPU, %.2f s wall\n",
           a, 1000 * (c1 - c0) / n, 1000 * (w1 - w0) / n, n, m, c0, w0 }'
}
