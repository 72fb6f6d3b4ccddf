#!/usr/bin/env bash
# Installs the Debian packages svic builds against, skipping the ones already present.
# Safe to run repeatedly: when everything is installed it costs one `dpkg -s` call.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  antlr4 libantlr4-runtime-dev uuid-dev default-jre-headless
  llvm-19-dev libzstd-dev
  libboost-dev libboost-program-options-dev libboost-math-dev
  librandom123-dev zlib1g-dev
  nlohmann-json3-dev libgtest-dev libgmock-dev
  python3
  # The outside oracle: real Pyro 1.8.6 in ../shared/reference/ runs on these.
  python3-torch python3-numpy python3-tqdm
  ccache
  # libFuzzer (make fuzz-smoke, bench/fuzz/run.sh).
  clang-19 libclang-rt-19-dev
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
