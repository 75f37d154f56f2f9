#!/usr/bin/env bash
# Bounded fuzzing: every libFuzzer target of tests/fuzz/ for FUZZ_SECONDS
# (default 20) each, built in build-asan (clang, ASan + UBSan + coverage;
# scripts/sanitizer_build.sh), starting from a scratch copy of its committed
# corpus. A crash, leak, UB report or slow input fails the run and leaves the
# input in build-asan/fuzz/NAME/artifacts/; reproduce it with
#   build-asan/tests/fuzz/fuzz_NAME build-asan/fuzz/NAME/artifacts/crash-...
# then fix the bug and commit the input as tests/fuzz/corpus/NAME/regress_*.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
mapfile -t names < <(sed -n 's/^baton_fuzz_target(\([a-z_]*\) .*/\1/p' tests/fuzz/CMakeLists.txt)
[ ${#names[@]} -gt 0 ] || { echo "fuzz: no targets in tests/fuzz/CMakeLists.txt" >&2; exit 1; }
bash scripts/sanitizer_build.sh asan "${names[@]/#/fuzz_}"

# Stacks with file and line: clang 16 does not put its llvm-symbolizer on PATH.
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-16/bin/llvm-symbolizer}
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for name in "${names[@]}"; do
  work=build-asan/fuzz/$name
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp tests/fuzz/corpus/"$name"/* "$work/corpus/"
  args=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  [ -f "tests/fuzz/$name.dict" ] && args+=(-dict="tests/fuzz/$name.dict")
  status=0
  "build-asan/tests/fuzz/fuzz_$name" "${args[@]}" "$work/corpus" > "$work/log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  echo "fuzz: $name: ${runs:-?} executions in ${seconds}s, corpus $(find "$work/corpus" -type f | wc -l) inputs, exit $status"
  if [ "$status" -ne 0 ]; then
    failed+=("$name")
    tail -n 40 "$work/log" >&2
    ls "$work/artifacts" >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs under build-asan/fuzz/*/artifacts/)" >&2
  exit 1
fi
