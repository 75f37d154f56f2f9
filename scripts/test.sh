#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration,
# fuzz corpora and the 1-minute soak (ctest in build/). With SANITIZERS="asan tsan"
# the suites also run under ASan+UBSan and TSan (scripts/sanitize.sh), with
# FUZZ_SECONDS=N every libFuzzer target runs N seconds (scripts/fuzz.sh). Both are
# off by default: their two extra trees take longer to build from a cold cache
# than the whole default run.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { echo "test: $1 done at $((SECONDS - start)) s"; }
bash scripts/setup.sh
bash scripts/build.sh
step build
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j "$(nproc)" --timeout 300)
step ctest
if [ -n "${SANITIZERS:-}" ]; then
  bash scripts/sanitize.sh
  step sanitizers
fi
if [ "${FUZZ_SECONDS:-0}" != 0 ]; then
  bash scripts/fuzz.sh
  step fuzzing
fi
