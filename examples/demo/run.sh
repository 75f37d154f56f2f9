#!/usr/bin/env bash
# Live demo: Baton runs three instances of an app behind one port (like
# `pm2 start app -i 3`) under steady load. One instance is killed with SIGKILL
# while the load runs: Baton retries the requests that met it, routes around it,
# restarts it with backoff, and puts it back in rotation once it accepts
# connections. Every request succeeds.
set -euo pipefail
build=${1:-build}
baton=$(realpath "$build/src/baton")
app=$(realpath "$build/tests/support/baton-test-backend")
seconds=${DEMO_SECONDS:-12}
work=$(mktemp -d /tmp/baton-demo.XXXXXX)
baton_pid=""
cleanup() {
  [ -n "$baton_pid" ] && kill "$baton_pid" 2>/dev/null && wait "$baton_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/baton.toml" <<TOML
[proxy]
threads = 2

[services.web]
listen    = "127.0.0.1:$port"
command   = ["$app", "--listen", "127.0.0.1:{port}", "--name", "web"]
instances = 3
balance   = "least_conn"
TOML
echo "== config ($work/baton.toml)"
sed 's/^/   /' "$work/baton.toml"

echo "== starting baton: it runs 3 instances of the app and routes 127.0.0.1:$port to them"
"$baton" daemon --config "$work/baton.toml" --home "$work/home" 2>"$work/baton.log" &
baton_pid=$!
ready() { grep -c "event=instance_ready service=" "$work/baton.log" 2>/dev/null || true; }
for _ in $(seq 200); do [ "$(ready)" -ge 3 ] && break; sleep 0.05; done
grep "event=instance_ready service=" "$work/baton.log" | sed 's/.*event=/   /'

echo "== ${seconds}s of load (wrk, 64 connections); one instance is killed at 1/3"
wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port/hello" >"$work/wrk.txt" 2>&1 &
wrk_pid=$!
sleep $((seconds / 3))
victim=$(grep -m1 -o "event=instance_ready service=web instance=1 pid=[0-9]*" "$work/baton.log" | sed 's/.*pid=//')
lines_at_kill=$(wc -l <"$work/baton.log")
kill -9 "$victim"
echo "   $(date +%T) instance 1 (pid $victim) killed with SIGKILL"
wait "$wrk_pid"
tail -n +"$((lines_at_kill + 1))" "$work/baton.log" | grep -E "event=instance_(down|ready) service=" | sed 's/.*event=/   /'

total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk.txt")
non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/\1/p' "$work/wrk.txt")
socket_errors=$(sed -n 's/^ *Socket errors: *//p' "$work/wrk.txt")
echo
echo "== result"
grep -E "Requests/sec|99%" "$work/wrk.txt" | sed 's/^ */   /'
echo "   requests sent:     $total"
echo "   failed (non-2xx):  ${non2xx:-0}"
echo "   socket errors:     ${socket_errors:-none}"
echo "   app output:        $work/home/logs/web.log ($(wc -l <"$work/home/logs/web.log") lines)"
if [ -z "$non2xx" ] && [ -z "$socket_errors" ]; then
  echo "   zero failed requests"
else
  echo "   some requests failed"
  exit 1
fi
