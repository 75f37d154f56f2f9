# Sourced by the bench scripts that run Baton: where the binaries are (BUILD_DIR, BATON, BACKEND,
# LOAD override), and no background daemon started by a CLI call: each script runs its own.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
baton_bin=${BATON:-$build_dir/src/baton}
backend_bin=${BACKEND:-$build_dir/tests/support/baton-test-backend}
load_bin=${LOAD:-$build_dir/tools/load/baton-load}
export BATON_NO_AUTOSTART=1
