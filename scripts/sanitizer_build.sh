#!/usr/bin/env bash
# Configures and builds one sanitizer tree, for scripts/sanitize.sh and scripts/fuzz.sh.
#
#   scripts/sanitizer_build.sh asan [TARGET...]   build-asan: clang, ASan + UBSan + libFuzzer coverage
#   scripts/sanitizer_build.sh tsan [TARGET...]   build-tsan: GCC, TSan
#
# build-asan is BATON_FUZZ=ON: one clang tree gives both the ASan+UBSan test
# binaries and the libFuzzer targets, which saves a third full build in CI.
# Both trees are -O1 with line tables: fast enough to run the suites, cheaper
# to compile than Release, and reports name file and line. No NDEBUG, so
# assert() is live too. No TARGET builds everything.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: sanitizer_build.sh asan|tsan [TARGET...]}
shift
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1")
case $kind in
  asan)
    # clang 16: the oldest that compiles <expected> (cmake/BatonCompilers.cmake).
    export CC=${FUZZ_CC:-clang-16} CXX=${FUZZ_CXX:-clang++-16}
    flags+=(-DBATON_FUZZ=ON) ;;
  tsan)
    export CC=${TSAN_CC:-gcc} CXX=${TSAN_CXX:-g++}
    flags+=(-DBATON_SANITIZE=thread) ;;
  *) echo "sanitizer_build.sh: unknown kind $kind (asan, tsan)" >&2; exit 2 ;;
esac
BUILD_DIR=build-$kind TARGETS="$*" bash scripts/build.sh "${flags[@]}"
