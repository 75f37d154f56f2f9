#!/usr/bin/env bash
# What a canary costs the clients: one Baton daemon with a managed service of INSTANCES test apps,
# under continuous load (baton-load, CONNECTIONS connections at RATE req/s, no cookies: every request
# is a new client, so the split is exact per request). CANARY_RUNS canaries of a bad release (the
# test app with --fail-percent FAIL_PERCENT), then CANARY_RUNS of a good one, each
#   baton deploy web --strategy canary --steps STEPS --interval INTERVAL -- baton-test-backend ...
# with its own load run (load starts, LEAD s, the deploy, LEAD s, load stops). Prints one row per
# run (failed requests seen by clients, the canary's requests in the failing window, the bound
# first share x requests in one window, the daemon's verdict -> weight 0 time) and the totals.
#   CANARY_RUNS=20 bench/deploy/canary.sh
set -euo pipefail
source "$(dirname "$0")/../common.sh"
here=$root/bench/deploy
runs=${CANARY_RUNS:-20}
instances=${INSTANCES:-2}
connections=${CONNECTIONS:-8}
rate=${RATE:-2000}                  # requests per second in total; 0 = as fast as the daemon answers
steps=${STEPS:-10,50}
interval=${INTERVAL:-2s}
min_requests=${MIN_REQUESTS:-50}
fail_percent=${FAIL_PERCENT:-5}
lead=${LEAD:-0.5}                   # seconds of load before the deploy and after it
deploy_limit=${DEPLOY_LIMIT:-60}    # seconds one deploy may take before it is killed
pin=${PIN:-1}
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

workdir=$(mktemp -d "${TMPDIR:-/tmp}/baton-bench-canary.XXXXXX")
home=$workdir/home
daemon_pid=""
load_pid=""
note() { echo "bench: $*" >&2; }

cleanup() {
  [ -n "$load_pid" ] && kill -TERM "$load_pid" 2> /dev/null
  if [ -n "$daemon_pid" ]; then
    # A stop signal leaves the apps running for a next daemon: stop them with it.
    timeout 30 "$baton_bin" shutdown --stop-apps --home "$home" > /dev/null 2>&1 || kill -TERM "$daemon_pid" 2> /dev/null
    wait "$daemon_pid" 2> /dev/null || true
  fi
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then note "kept $workdir"; else rm -rf "$workdir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

on_sut=()
on_load=()
if [ "$pin" = 1 ] && [ "$(nproc)" -ge 2 ]; then
  on_sut=(taskset -c "${SUT_CPU:-0}")
  on_load=(taskset -c "${LOAD_CPU:-1}")
fi

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s|@LISTEN_PORT@|$port|g" -e "s|@BACKEND@|$backend_bin|g" -e "s|@INSTANCES@|$instances|g" \
  "$here/baton.toml.in" > "$workdir/baton.toml"
echo "min_requests = $min_requests" >> "$workdir/baton.toml"
"${on_sut[@]}" "$baton_bin" daemon --config "$workdir/baton.toml" --home "$home" > "$workdir/daemon.log" 2>&1 &
daemon_pid=$!
url="http://127.0.0.1:$port/hello"
for _ in $(seq 200); do [ "$(curl -s -m 1 "$url" || true)" = hello ] && break; sleep 0.05; done
[ "$(curl -s -m 1 "$url" || true)" = hello ] || { note "baton does not serve $url"; exit 1; }

load_args=("${on_load[@]}" "$load_bin" --url "$url" --connections "$connections" --threads 1 --json --duration 300)
[ "$rate" != 0 ] && load_args+=(--rate "$rate")

# KIND K [APP FLAGS...]: one canary under its own load run; leaves run-KIND-K.{json,out,log,rc}.
canary() {
  local kind=$1 k=$2 out=$workdir/run-$1-$2 from rc
  shift 2
  from=$(wc -l < "$workdir/daemon.log")
  "${load_args[@]}" > "$out.json" 2> /dev/null &
  load_pid=$!
  sleep "$lead"
  rc=0
  timeout "$deploy_limit" "${on_sut[@]}" "$baton_bin" deploy web --home "$home" --version "$kind-$k" \
    --strategy canary --steps "$steps" --interval "$interval" \
    -- "$backend_bin" --listen "127.0.0.1:{port}" --name "$kind-$k" "$@" > "$out.out" 2>&1 || rc=$?
  sleep "$lead"
  kill -TERM "$load_pid"
  wait "$load_pid" || true
  load_pid=""
  echo "$rc" > "$out.rc"
  tail -n +"$((from + 1))" "$workdir/daemon.log" | grep 'event=route_after_window' > "$out.log" || true
  note "$kind canary $k: exit $rc"
}

started=$(date +%s)
for k in $(seq "$runs"); do canary bad "$k" --fail-percent "$fail_percent"; done
for k in $(seq "$runs"); do canary good "$k"; done

echo "machine: $(nproc) cpus, $(uname -r); $(date -u +%F); bench took $(($(date +%s) - started)) s"
echo "load: baton-load GET /hello, $connections connections, $([ "$rate" = 0 ] && echo unlimited || echo "$rate req/s"), no cookies (every request a new client)"
echo "service: $instances instances of the test app; canary: --steps $steps --interval $interval, min_requests $min_requests; bad release: --fail-percent $fail_percent"
"$python" "$here/canary_summary.py" --workdir "$workdir" --runs "$runs" --steps "$steps" --interval "$interval"
