#!/usr/bin/env bash
# The libFuzzer run over svic-fuzz (tests/fuzz: parse + lowering + every
# analysis, under ASan+UBSan), at nice ${FUZZ_NICE:-19}.
#
# usage: bench/fuzz/run.sh [SECONDS]        (default 3600)
#
# Configures and builds $FUZZ_BUILD (default build-fuzz) with clang-19 and
# -DSVIC_FUZZ=ON, seeds it with every example and test program, and fuzzes
# for SECONDS: no crash, no sanitizer report, at most 2 GB, no input over
# FUZZ_TIMEOUT seconds of wall time (default 120: at nice 19 on a loaded
# machine wall time runs far ahead of CPU time; libFuzzer also writes every
# unit over 10 s wall as slow-unit-*, to re-time alone, where the bound is
# 10 s). The corpus grows in $FUZZ_CORPUS
# (default $FUZZ_BUILD/fuzz-corpus) across runs; a failing input is written
# to $FUZZ_BUILD/fuzz-artifacts/ and the run exits non-zero. The last line
# is the CPU time used.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-3600}
BUILD=${FUZZ_BUILD:-build-fuzz}
LAUNCHER=()
command -v ccache >/dev/null 2>&1 && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
export CCACHE_BASEDIR=$PWD
CC=clang-19 CXX=clang++-19 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSVIC_FUZZ=ON "${LAUNCHER[@]}" >/dev/null
cmake --build "$BUILD" -j2 --target svic-fuzz
SEEDS=$BUILD/fuzz-seeds CORPUS=${FUZZ_CORPUS:-$BUILD/fuzz-corpus} ART=$BUILD/fuzz-artifacts
mkdir -p "$SEEDS" "$CORPUS" "$ART"
find examples tests -name '*.py' -size -64k | while read -r f; do
  cp "$f" "$SEEDS/$(printf '%s' "$f" | tr / _)"
done
# Returning freed memory to the OS (madvise) stalls under load; not needed here.
export ASAN_OPTIONS=detect_leaks=0:allocator_release_to_os_interval_ms=-1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
TIMEFORMAT='fuzz: cpu %U s user + %S s system, %R s wall'
time nice -n "${FUZZ_NICE:-19}" "$BUILD/tests/fuzz/svic-fuzz" -timeout="${FUZZ_TIMEOUT:-120}" -rss_limit_mb=2048 -max_len=8192 \
  -max_total_time="$SECS" -dict=tests/fuzz/python.dict -artifact_prefix="$ART/" \
  -print_final_stats=1 "$CORPUS" "$SEEDS"
