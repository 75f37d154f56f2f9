#!/usr/bin/env bash
# Configures and builds into build/ (or $BUILD_DIR) with Ninja, in Release.
# Extra arguments go to cmake; JOBS caps the parallel compiles (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache: relative paths so clones in other directories share hits, and the
# sloppiness that precompiled headers (src/net/pch.hpp) need to be cacheable.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "$@" >/dev/null
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" ${TARGETS:+--target $TARGETS}
