#!/usr/bin/env bash
# Runs the test suites under sanitizers, each kind in its own build tree
# (scripts/sanitizer_build.sh):
#   asan  build-asan, clang ASan + UBSan: every ctest test (unit, integration,
#         test backend, load driver, fuzz corpora) except the soak
#   tsan  build-tsan, GCC TSan: the data plane (net, http, balancer and proxy
#         unit tests; the proxy integration tests)
# SANITIZERS="asan" runs one kind. Every process the tests start (baton, the
# backends, baton-load, the CLI) is instrumented and writes its reports to
# build-*/sanitizer-logs/; any report there fails the run, so an error in a
# daemon whose exit status no test looks at (a leak at exit after SIGTERM)
# still counts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
kinds=${SANITIZERS:-asan tsan}
jobs=${JOBS:-$(nproc)}

# The proxy integration tests: framing, smuggling, bodies, pipelining,
# websocket, timeouts, limits, routing, retry, load, headers.
data_plane_files() {
  ls src/net/*_test.cpp src/http/*_test.cpp src/balancer/*_test.cpp src/proxy/*_test.cpp
  local topic
  for topic in framing smuggling bodies pipelining websocket timeouts limits routing retry load headers; do
    echo "tests/integration/${topic}_test.cpp"
  done
}

# A ctest -R regex for every suite those files define (Suite.Name, Prefix/Suite.Name/N).
data_plane_regex() {
  local suites
  # shellcheck disable=SC2046
  suites=$(grep -ho '^TEST\(_F\|_P\)\?( *[A-Za-z0-9_]*' $(data_plane_files) | sed 's/.*( *//' | sort -u | paste -sd'|')
  echo "^([A-Za-z0-9_]+/)?($suites)\\."
}

# Fails when any process left a report in DIR.
check_reports() {
  local dir=$1 reports
  reports=$(find "$dir" -type f -size +0 | sort)
  [ -z "$reports" ] && return 0
  echo "sanitize: $(echo "$reports" | wc -l) sanitizer report(s) in $dir:" >&2
  local report
  for report in $reports; do
    echo "--- $report" >&2
    head -n 60 "$report" >&2
  done
  return 1
}

fresh_logs() {
  rm -rf "$1"
  mkdir -p "$1"
}

run_asan() {
  local logs=$root/build-asan/sanitizer-logs
  fresh_logs "$logs"
  bash scripts/sanitizer_build.sh asan
  # halt_on_error: the first error ends the process, so the test that caused it fails.
  # Stacks with file and line: clang 16 does not put its llvm-symbolizer on PATH.
  export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-16/bin/llvm-symbolizer}
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:log_path=$logs/asan"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/sanitizers/ubsan.supp:log_path=$logs/ubsan"
  export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp"
  local status=0
  (cd build-asan && ctest --output-on-failure --no-tests=error -j "$jobs" --timeout 300 -LE soak) || status=1
  check_reports "$logs" || status=1
  return $status
}

run_tsan() {
  local logs=$root/build-tsan/sanitizer-logs
  fresh_logs "$logs"
  bash scripts/sanitizer_build.sh tsan baton baton-test-backend baton-load data_plane_unit_tests integration_tests
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/sanitizers/tsan.supp:log_path=$logs/tsan"
  local status=0 regex
  regex=$(data_plane_regex)
  (cd build-tsan && ctest --output-on-failure --no-tests=error -j "$jobs" --timeout 300 -R "$regex") || status=1
  check_reports "$logs" || status=1
  return $status
}

failed=()
for kind in $kinds; do
  start=$SECONDS
  "run_$kind" || failed+=("$kind")
  echo "sanitize: $kind took $((SECONDS - start)) s"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitize: FAILED under ${failed[*]}" >&2
  exit 1
fi
