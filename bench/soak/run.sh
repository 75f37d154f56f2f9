#!/usr/bin/env bash
# Soak: mixed traffic against a managed service while it is deployed (rolling)
# every DEPLOY_EVERY seconds, for SOAK_SECONDS. Samples the daemon's resident
# memory (VmRSS) and open fds, and prints a verdict:
#   - no failed request (keep-alive GETs, POST bodies, a new connection per
#     request, WebSocket echoes) and no failed deploy;
#   - open fds flat: the lowest count of the last quarter at most FD_TOLERANCE
#     above the one at the baseline time (60 s, or a third of a shorter run);
#   - resident memory flat (runs of 2 minutes or more): the last sample at most
#     RSS_TOLERANCE_PCT above the baseline one. The first minute is excluded:
#     allocator arenas, pools and caches are still growing to their working size.
# Samples are taken just before each deploy, when no deploy is in flight, so
# the instances a deploy adds for a moment do not count as growth.
#
#   bench/soak/run.sh                     # 10 minutes
#   SOAK_SECONDS=60 bench/soak/run.sh     # the CI version (ctest -L soak)
# Exit status: 0 when the verdict is PASS, 1 otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source "$here/../common.sh"
soak_seconds=${SOAK_SECONDS:-600}
deploy_every=${DEPLOY_EVERY:-10}
fd_tolerance=${FD_TOLERANCE:-4}
rss_tolerance_pct=${RSS_TOLERANCE_PCT:-10}
instances=${INSTANCES:-2}
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

workdir=$(mktemp -d /tmp/baton-soak.XXXXXX)
home="$workdir/home"
pids=()
baton_pid=""
verdict=1

note() { echo "soak: $*" >&2; }

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  if [ -n "$baton_pid" ]; then
    # A stop signal leaves the apps running for the next daemon: the soak stops them with it.
    timeout 60 "$baton_bin" shutdown --stop-apps --home "$home" > /dev/null 2>&1 || true
    kill -TERM "$baton_pid" 2> /dev/null || true
    wait "$baton_pid" 2> /dev/null || true
  fi
  # A failed soak keeps its logs (baton.log, deploys.log, the loads' summaries) to look at.
  if [ "${KEEP_WORKDIR:-0}" = 1 ] || [ "$verdict" != 0 ]; then note "kept $workdir"; else rm -rf "$workdir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_config() {
  cat > "$workdir/baton.toml" << EOF
[proxy]
threads = 2

[services.web]
listen = "127.0.0.1:$1"
command = ["$backend_bin", "--listen", "127.0.0.1:{port}", "--name", "v1"]
instances = $instances
health = "/health"
strategy = "rolling"
stop_timeout = "5s"
# WebSockets on an old instance are cut after this; the soak's clients reconnect.
drain_timeout = "2s"
EOF
}

start_daemon() {
  local port
  port=$(free_port)
  write_config "$port"
  "$baton_bin" daemon --config "$workdir/baton.toml" --home "$home" > "$workdir/baton.log" 2>&1 &
  baton_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 400); do
    if [ "$(curl -s -m 1 "$url/hello" || true)" = hello ]; then return 0; fi
    kill -0 "$baton_pid" 2> /dev/null || break
    sleep 0.05
  done
  note "baton does not serve $url/hello"
  tail -n 20 "$workdir/baton.log" >&2
  return 1
}

# NAME ARGS...: one baton-load until SIGINT, its --json summary in NAME.json.
start_load() {
  local name=$1
  shift
  "$load_bin" --json --cookies "$@" > "$workdir/$name.json" 2> "$workdir/$name.err" &
  pids+=($!)
}

start_traffic() {
  start_load get --url "$url/hello" --connections 8 --rate 400
  start_load post --url "$url/echo" --connections 4 --rate 100 --body 16384
  start_load close --url "$url/hello" --connections 2 --rate 50 --header "Connection: close"
  "$python" "$here/ws_clients.py" --port "${url##*:}" --clients 3 > "$workdir/ws.json" &
  pids+=($!)
}

stop_traffic() {
  local pid
  for pid in "${pids[@]}"; do kill -INT "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  pids=()
}

# One line "SECONDS RSS_KB FDS" for the daemon, appended to samples.
sample() {
  local rss fds
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$baton_pid/status")
  fds=$(find "/proc/$baton_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
  echo "$1 $rss $fds" >> "$workdir/samples"
}

deploy() {
  "$baton_bin" deploy web --home "$home" --version "$1" -- \
    "$backend_bin" --listen '127.0.0.1:{port}' --name "$1" >> "$workdir/deploys.log" 2>&1
}

# Deploys every DEPLOY_EVERY seconds, sampling just before each one.
run_deploys() {
  local start=$SECONDS tick=0 n=1 failed=0
  : > "$workdir/samples"
  while :; do
    while [ $((SECONDS - start)) -lt "$tick" ]; do sleep 0.2; done
    kill -0 "$baton_pid" 2> /dev/null || { note "the daemon died"; failed=$((failed + 1)); break; }
    sample "$tick"
    [ "$tick" -ge "$soak_seconds" ] && break
    if [ "$tick" -gt 0 ]; then
      n=$((n + 1))
      deploy "v$n" || { failed=$((failed + 1)); note "deploy v$n failed"; }
    fi
    tick=$((tick + deploy_every))
  done
  echo "$((n - 1)) $failed" > "$workdir/deploys"
}

main() {
  local bin
  for bin in "$baton_bin" "$backend_bin" "$load_bin"; do
    [ -x "$bin" ] || { note "no $bin; build first (scripts/build.sh)"; exit 1; }
  done
  start_daemon
  start_traffic
  note "${soak_seconds}s of traffic, a rolling deploy every ${deploy_every}s (daemon pid $baton_pid)"
  run_deploys
  stop_traffic
  verdict=0
  "$python" "$here/verdict.py" --dir "$workdir" --seconds "$soak_seconds" \
    --fd-tolerance "$fd_tolerance" --rss-tolerance-pct "$rss_tolerance_pct" || verdict=$?
  return "$verdict"
}

main "$@"
