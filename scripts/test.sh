#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration,
# fuzz corpora and the 1-minute soak (ctest in build/); then the suites under
# ASan+UBSan and TSan (scripts/sanitize.sh, build-asan/ and build-tsan/) and
# every libFuzzer target for FUZZ_SECONDS (default 20) each (scripts/fuzz.sh).
# SANITIZERS="asan" (or "") and FUZZ_SECONDS=0 leave stages out while iterating.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { echo "test: $1 done at $((SECONDS - start)) s"; }
bash scripts/setup.sh
bash scripts/build.sh
step build
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" --timeout 300)
step ctest
export SANITIZERS=${SANITIZERS-asan tsan}
if [ -n "$SANITIZERS" ]; then
  bash scripts/sanitize.sh
  step sanitizers
fi
export FUZZ_SECONDS=${FUZZ_SECONDS-20}
if [ "$FUZZ_SECONDS" != 0 ]; then
  bash scripts/fuzz.sh
  step fuzzing
fi
