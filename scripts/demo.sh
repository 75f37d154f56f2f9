#!/usr/bin/env bash
# Installs what is missing, builds, and runs the live demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec bash examples/demo/run.sh "${BUILD_DIR:-build}"
