#!/usr/bin/env bash
# Live demo: Baton in front of three app instances under steady load. One
# instance is killed and later restarted while the load runs; every request
# still succeeds, because Baton retries idempotent requests that never got an
# answer and steers around the dead instance.
set -euo pipefail
build=${1:-build}
baton=$build/src/baton
backend=$build/tests/support/baton-test-backend
seconds=${DEMO_SECONDS:-12}
work=$(mktemp -d /tmp/baton-demo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_backend() {  # name -> prints port
  local name=$1 out=$work/$1.out
  "$backend" --listen 127.0.0.1:0 --name "$name" >"$out" 2>&1 &
  echo $! >"$work/$name.pid"
  for _ in $(seq 100); do grep -q '^listening' "$out" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/^listening 127.0.0.1://p' "$out"
}

restart_backend_on() {  # name port
  "$backend" --listen "127.0.0.1:$2" --name "$1" >"$work/$1.out" 2>&1 &
  echo $! >"$work/$1.pid"
}

echo "== starting three app instances"
ports=()
for name in app-1 app-2 app-3; do
  port=$(start_backend "$name")
  ports+=("$port")
  pids+=("$(cat "$work/$name.pid")")
  echo "   $name on 127.0.0.1:$port"
done

listen_port=$(free_port)
cat >"$work/baton.toml" <<TOML
[proxy]
threads = 2

[services.web]
listen  = "127.0.0.1:$listen_port"
targets = ["127.0.0.1:${ports[0]}", "127.0.0.1:${ports[1]}", "127.0.0.1:${ports[2]}"]
balance = "least_conn"
TOML
echo "== starting baton on 127.0.0.1:$listen_port"
"$baton" daemon --config "$work/baton.toml" 2>"$work/baton.log" &
pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$listen_port/hello" && break; sleep 0.05; done

echo "== ${seconds}s of load (wrk, 64 connections); app-2 is killed at 1/3 and restarted at 2/3"
wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$listen_port/hello" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
sleep $((seconds / 3))
kill -9 "$(cat "$work/app-2.pid")"
echo "   $(date +%T) app-2 killed (SIGKILL)"
sleep $((seconds / 3))
restart_backend_on app-2 "${ports[1]}"
pids+=("$(cat "$work/app-2.pid")")
echo "   $(date +%T) app-2 restarted"
wait "$wrk_pid"

total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk.txt")
non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/\1/p' "$work/wrk.txt")
socket_errors=$(sed -n 's/^ *Socket errors: *//p' "$work/wrk.txt")
echo
echo "== result"
grep -E "Requests/sec|Latency|99%" "$work/wrk.txt" | sed 's/^/   /'
echo "   requests sent:   $total"
echo "   failed (non-2xx): ${non2xx:-0}"
echo "   socket errors:   ${socket_errors:-none}"
for name in app-1 app-2 app-3; do
  port=${ports[$(( ${name#app-} - 1 ))]}
  echo "   $name served (since its start): $(curl -s "http://127.0.0.1:$port/stats")"
done
[ -z "$non2xx" ] && [ -z "$socket_errors" ] && echo "   zero failed requests" || { echo "   some requests failed"; exit 1; }
