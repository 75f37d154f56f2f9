#!/usr/bin/env bash
# What a proxy's own restart costs its clients, side by side on loopback: the same
# backend and the same mixed load while the proxy is restarted. The load: keep-alive GETs
# (CONNECTIONS connections), keep-alive POSTs of 4 KiB (2), GETs with Connection: close (2),
# all baton-load, and 3 WebSockets echoing a message every 0.2 s (bench/soak/ws_clients.py).
# The proxy is
#   nginx:   reloaded (nginx -s reload) and binary-upgraded (USR2, then QUIT to the old master);
#   HAProxy: reloaded (a new process with -sf OLD_PID);
#   Baton:   upgraded between two builds (baton upgrade --binary, under baton keeper) and crashed
#            (kill -9 of the daemon).
# Prints one row per (proxy, action): HTTP requests, failed, refused connections, failures per
# action, WebSocket messages echoed, failed and cut.
#   TIMES=20 CONNECTIONS=8 bench/restart/run.sh
set -euo pipefail
source "$(dirname "$0")/../common.sh"
times=${TIMES:-20}
connections=${CONNECTIONS:-8}
gap=${GAP:-0.3}  # seconds between two actions
workdir=$(mktemp -d /tmp/baton-restart-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pkill -f "$workdir" 2>/dev/null || true
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then echo "kept $workdir" >&2; else rm -rf "$workdir"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

backend_port=$(free_port)
"$backend_bin" --listen "127.0.0.1:$backend_port" --name v0 > "$workdir/backend.log" 2>&1 &
pids+=($!)
wait_port "$backend_port"

# Runs the mixed load while `act` runs TIMES times; prints the row.
measure() {
  local proxy=$1 action=$2 port=$3 act=$4 loads=()
  "$load_bin" --url "http://127.0.0.1:$port/hello" --connections "$connections" --duration 3600 --json \
    > "$workdir/load-get.json" 2> "$workdir/load-get.err" &
  loads+=($!)
  "$load_bin" --url "http://127.0.0.1:$port/echo" --body 4096 --connections 2 --duration 3600 --json \
    > "$workdir/load-post.json" 2> "$workdir/load-post.err" &
  loads+=($!)
  "$load_bin" --url "http://127.0.0.1:$port/hello" --header "Connection: close" --connections 2 --duration 3600 \
    --json > "$workdir/load-close.json" 2> "$workdir/load-close.err" &
  loads+=($!)
  python3 "$root/bench/soak/ws_clients.py" --port "$port" --clients 3 > "$workdir/ws.json" 2> "$workdir/ws.err" &
  local ws=$!
  sleep 0.5
  for _ in $(seq "$times"); do $act; sleep "$gap"; done
  sleep 0.5
  kill -TERM "${loads[@]}" "$ws"; wait "${loads[@]}" "$ws" || true
  python3 - "$proxy" "$action" "$times" "$workdir" <<'PY'
import json, sys
proxy, action, times, workdir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
loads = [json.load(open(f"{workdir}/load-{kind}.json")) for kind in ("get", "post", "close")]
requests = sum(s["requests"] for s in loads)
failed = sum(s["failed"] for s in loads)
refused = sum(s["errors"].get("connect_refused", 0) for s in loads)
p99 = max(s["p99_ms"] for s in loads)
ws = json.load(open(f"{workdir}/ws.json"))
print(f"| {proxy} | {action} x{times} | {requests} | {failed} | {refused} | {failed/times:.2f} | {p99:.1f} "
      f"| {ws['messages']} | {ws['failed']} | {ws['cuts']} |")
PY
}

echo "| proxy | action | requests | failed | refused | failed per action | p99 ms | ws messages | ws failed | ws cut |"
echo "|---|---|---|---|---|---|---|---|---|---|"

# nginx
only=${ONLY:-nginx haproxy baton}  # which proxies to measure
if command -v nginx > /dev/null && [[ " $only " == *" nginx "* ]]; then
  nginx_bin=$(command -v nginx)  # absolute: USR2 re-executes the master by its argv[0]
  port=$(free_port)
  mkdir -p "$workdir/nginx"
  sed -e "s|@WORKDIR@|$workdir/nginx|g" -e "s|@FD_LIMIT@|4096|" -e "s|@MAX_CONNECTIONS@|2048|" \
      -e "s|@BACKEND_PORT@|$backend_port|" -e "s|@LISTEN_PORT@|$port|" \
      -e "s|daemon off;|daemon on;|" "$root/bench/proxy/nginx.conf.in" > "$workdir/nginx/nginx.conf"
  # Without it an old master waits for the WebSockets for ever, and the next upgrade finds it there.
  echo "worker_shutdown_timeout 1s;" >> "$workdir/nginx/nginx.conf"
  "$nginx_bin" -c "$workdir/nginx/nginx.conf" -p "$workdir/nginx"
  wait_port "$port"
  reload_nginx() { "$nginx_bin" -c "$workdir/nginx/nginx.conf" -p "$workdir/nginx" -s reload 2> /dev/null; }
  measure nginx "reload" "$port" reload_nginx
  upgrade_nginx() {
    local old; old=$(cat "$workdir/nginx/nginx.pid")
    kill -USR2 "$old"
    for _ in $(seq 50); do [ -f "$workdir/nginx/nginx.pid.oldbin" ] && break; sleep 0.02; done
    sleep 0.1
    kill -QUIT "$old"
    for _ in $(seq 100); do kill -0 "$old" 2>/dev/null || break; sleep 0.02; done
  }
  measure nginx "binary upgrade (USR2)" "$port" upgrade_nginx
  "$nginx_bin" -c "$workdir/nginx/nginx.conf" -p "$workdir/nginx" -s quit 2> /dev/null || true
fi

# HAProxy
if command -v haproxy > /dev/null && [[ " $only " == *" haproxy "* ]]; then
  port=$(free_port)
  sed -e "s|@MAX_CONNECTIONS@|2048|" -e "s|@BACKEND_PORT@|$backend_port|" -e "s|@LISTEN_PORT@|$port|" \
      "$root/bench/proxy/haproxy.cfg.in" > "$workdir/haproxy.cfg"
  haproxy -D -f "$workdir/haproxy.cfg" -p "$workdir/haproxy.pid"
  wait_port "$port"
  reload_haproxy() { haproxy -D -f "$workdir/haproxy.cfg" -p "$workdir/haproxy.pid" -sf $(cat "$workdir/haproxy.pid"); }
  measure haproxy "reload (-sf)" "$port" reload_haproxy
  kill $(cat "$workdir/haproxy.pid") 2>/dev/null || true
fi

# Baton under its keeper
port=$(free_port)
cat > "$workdir/baton.toml" <<TOML
[services.web]
listen = "127.0.0.1:$port"
targets = ["127.0.0.1:$backend_port"]
TOML
# The second build: baton-next from the test build (another version stamped into the same code),
# else a copy.
other=$build_dir/tests/integration/baton-next
[ -x "$other" ] || { cp "$baton_bin" "$workdir/baton-other"; other=$workdir/baton-other; }
"$baton_bin" keeper --config "$workdir/baton.toml" --home "$workdir/home" > "$workdir/keeper.log" 2>&1 &
pids+=($!)
wait_port "$port"
flip=0
upgrade_baton() {
  local binary=$baton_bin
  [ $((flip++ % 2)) -eq 0 ] && binary=$other
  "$baton_bin" upgrade --binary "$binary" --home "$workdir/home" > /dev/null
}
measure baton "upgrade" "$port" upgrade_baton
kill_baton() {
  local daemon; daemon=$(grep -o 'daemon_started pid=[0-9]*' "$workdir/keeper.log" | tail -1 | cut -d= -f2)
  kill -9 "$daemon"
  for _ in $(seq 100); do
    [ "$(grep -c daemon_started "$workdir/keeper.log")" -gt "$killed" ] && break
    sleep 0.02
  done
  killed=$((killed + 1))
  # The next kill waits until the new daemon answers its control socket (it serves by then).
  for _ in $(seq 100); do "$baton_bin" ls --home "$workdir/home" > /dev/null 2>&1 && break; sleep 0.05; done
}
killed=$(grep -c daemon_started "$workdir/keeper.log")
measure baton "kill -9 of the daemon" "$port" kill_baton
