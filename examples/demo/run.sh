#!/usr/bin/env bash
# Live demo of zero-downtime deploys. A daemon in a temporary home runs three
# instances of a demo app (baton-test-backend, which names its version in an
# X-Backend-Name header) while baton-load sends requests without pause and
# records every outcome. Under that load:
#   1. a rolling deploy (v2), one instance at a time, health-gated;
#   2. a blue-green deploy (v3), then `baton rollback` to the warm standby;
#   3. a release that never becomes healthy: rolled back automatically;
#   4. a recreate deploy (v4): requests wait while the only instance is replaced.
# It ends with what the load saw: requests sent, requests failed, versions seen.
set -euo pipefail
# This script runs its own daemon: a CLI call must never start another in the background.
export BATON_NO_AUTOSTART=1
build=${1:-build}
baton=$(realpath "$build/src/baton")
app=$(realpath "$build/tests/support/baton-test-backend")
load=$(realpath "$build/tools/load/baton-load")
work=$(mktemp -d /tmp/baton-demo.XXXXXX)
home="$work/home"
baton_pid=""
load_pid=""
cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  # `baton shutdown --stop-apps` stops the apps with the daemon; a stop signal alone would leave them running.
  if [ -n "$baton_pid" ]; then
    timeout 60 "$baton" shutdown --stop-apps --home "$home" >/dev/null 2>&1 || true
    if kill "$baton_pid" 2>/dev/null; then wait "$baton_pid" 2>/dev/null || true; fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/baton.toml" <<TOML
[proxy]
threads = 2

[services.web]
listen         = "127.0.0.1:$port"
command        = ["$app", "--listen", "127.0.0.1:{port}", "--name", "v1"]
instances      = 3
health         = "/health"
strategy       = "rolling"
deploy_timeout = "3s"
TOML
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "config ($work/baton.toml)"
sed 's/^/   /' "$work/baton.toml"

step "starting baton: 3 instances of v1 behind 127.0.0.1:$port"
"$baton" daemon --config "$work/baton.toml" --home "$home" 2>"$work/baton.log" &
baton_pid=$!
for _ in $(seq 200); do
  [ "$(grep -c "event=instance_ready service=web" "$work/baton.log" 2>/dev/null || true)" -ge 3 ] && break
  sleep 0.05
done
"$baton" ls --home "$home"

step "load: baton-load, 32 connections acting as browsers (they keep the affinity cookie)"
"$load" --url "http://127.0.0.1:$port/hello" --connections 32 --cookies --json --progress \
  >"$work/load.json" 2>"$work/load.progress" &
load_pid=$!
sleep 2

deploy() { "$baton" deploy web --home "$home" "$@"; }
release() { echo -- "$app" --listen '127.0.0.1:{port}' --name "$1"; }

step "1. rolling deploy of v2 (one new instance at a time; old ones drain before they stop)"
deploy --version v2 $(release v2)
sleep 1

step "2. blue-green deploy of v3 (all new instances healthy, then one switch; v2 stays warm)"
deploy --version v3 --strategy blue-green $(release v3)
sleep 1
step "   rollback to the warm standby"
start_ms=$(date +%s%3N)
"$baton" rollback web --home "$home"
echo "   (command to switched traffic: $(( $(date +%s%3N) - start_ms )) ms round trip)"
sleep 1

step "3. a broken release (its health check answers 503): rolled back on its own"
set +e
deploy --version v4-broken $(release v4-broken) --unhealthy
broken_exit=$?
set -e
echo "   baton deploy exited with $broken_exit; the live release kept serving"
sleep 1

step "4. recreate deploy of v4 with one instance (requests wait, they do not fail)"
deploy --version v4 --strategy recreate -i 1 $(release v4)
sleep 1

kill -TERM "$load_pid"
wait "$load_pid" || true
load_pid=""
step "releases"
"$baton" releases web --home "$home"

step "result"
python3 - "$work/load.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"   requests sent:    {s['requests']}")
print(f"   requests failed:  {s['failed']}  (statuses {s['statuses'] or 'none'}, errors {s['errors'] or 'none'})")
print(f"   versions seen:    " + ", ".join(f"{v}={n}" for v, n in s['versions'].items()))
print(f"   latency:          p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, {s['rps']:.0f} req/s")
sys.exit(0 if s['failed'] == 0 and 'v4-broken' not in s['versions'] else 1)
PY
echo "   zero failed requests; no request reached the broken release"
