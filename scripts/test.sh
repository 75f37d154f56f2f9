#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration,
# fuzz corpora and the 1-minute soak (ctest in build/), then the suites under
# ASan+UBSan and TSan (scripts/sanitize.sh) and bounded fuzzing (scripts/fuzz.sh).
# SANITIZERS="" skips the sanitizer runs, FUZZ_SECONDS=0 the fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { echo "test: $1 done at $((SECONDS - start)) s"; }
bash scripts/setup.sh
bash scripts/build.sh
step build
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" --timeout 300)
step ctest
if [ -n "${SANITIZERS-asan tsan}" ]; then
  SANITIZERS=${SANITIZERS-asan tsan} bash scripts/sanitize.sh
  step sanitizers
fi
if [ "${FUZZ_SECONDS:-20}" != 0 ]; then
  bash scripts/fuzz.sh
  step fuzzing
fi
