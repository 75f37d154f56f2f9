#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, integration, fuzz corpora).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" --timeout 300
