#!/usr/bin/env bash
# Deploys a web app over and over under the same load, three ways, and compares
# what the clients saw: Baton (rolling, blue-green, recreate, and rollback to the
# warm standby), PM2 cluster mode (`pm2 reload`), and the classic nginx script
# (new port, health poll, rewrite upstream, `nginx -s reload`, sleep, stop the
# old one). baton-load drives every system with the same command.
# See README.md for what is measured and what each column means.
#
#   bench/deploy/run.sh                           # everything, defaults below
#   DEPLOYS=3 SYSTEMS="baton nginx" bench/deploy/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source "$here/../common.sh"
systems=${SYSTEMS:-"baton pm2 nginx"}
strategies=${STRATEGIES:-"rolling blue-green recreate"}  # Baton's
deploys=${DEPLOYS:-10}               # deploys per system and strategy
rollbacks=${ROLLBACKS:-$deploys}     # Baton blue-green deploy + rollback cycles; 0 skips them
instances=${INSTANCES:-2}            # app instances in every system
connections=${CONNECTIONS:-20}       # baton-load connections
rate=${RATE:-2000}                   # total requests per second; 0 = as fast as the system answers
cookies=${COOKIES:-1}                # baton-load --cookies (clients keep Baton's affinity cookie)
gap=${GAP:-0}                        # seconds between two deploys
nginx_settle=${NGINX_SETTLE:-2}      # the nginx script's sleep between reload and stopping the old app
deploy_limit=${DEPLOY_LIMIT:-120}    # seconds one deploy command may take before it is killed
max_phase=${MAX_PHASE:-300}          # seconds one load run may last at most
sut_cpu=${SUT_CPU:-0}                # the system under test (proxy, supervisor, apps) on one core...
load_cpu=${LOAD_CPU:-1}              # ...the load driver and the polling client on the other
pin=${PIN:-1}
lead=0.5                             # load before the first deploy and after the last one
# Debian's python3 when present: a version manager's shim can take a second to start.
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

workdir=$(mktemp -d /tmp/baton-bench-deploy.XXXXXX)
declare -A live=()  # pids of the children still running
load_pid=""
pm2=""
export PM2_HOME="$workdir/pm2-home"  # never the user's ~/.pm2

note() { echo "bench: $*" >&2; }
now_ns() { date +%s%N; }
seconds_since() {
  local d=$(($(now_ns) - $1))
  printf '%d.%03d\n' $((d / 1000000000)) $((d / 1000000 % 1000))
}

on_sut=()
on_load=()
if [ "$pin" = 1 ] && [ "$(nproc)" -ge 2 ]; then
  on_sut=(taskset -c "$sut_cpu")
  on_load=(taskset -c "$load_cpu")
fi

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# TERM, then KILL after 10 s; reaps the child.
stop_pid() {
  local pid=$1 state
  unset "live[$pid]"
  kill -TERM "$pid" 2> /dev/null || { wait "$pid" 2> /dev/null || true; return 0; }
  for _ in $(seq 200); do
    state=$(ps -o stat= -p "$pid" 2> /dev/null || true)
    if [ -z "$state" ] || [ "${state:0:1}" = Z ]; then
      wait "$pid" 2> /dev/null || true
      return 0
    fi
    sleep 0.05
  done
  note "pid $pid did not stop within 10 s of SIGTERM; killing it"
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

stop_pm2() {
  [ -n "$pm2" ] || return 0
  timeout 30 "$pm2" kill > /dev/null 2>&1 || true
  # The PM2 daemon is not our child: make sure it and its workers are gone.
  if [ -f "$PM2_HOME/pm2.pid" ]; then
    local god
    god=$(cat "$PM2_HOME/pm2.pid")
    if grep -q PM2 "/proc/$god/cmdline" 2> /dev/null; then kill -KILL "$god" 2> /dev/null || true; fi
  fi
  pm2=""
}

cleanup() {
  [ -n "$load_pid" ] && stop_pid "$load_pid"
  stop_pm2
  for pid in "${!live[@]}"; do stop_pid "$pid"; done
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then note "kept $workdir"; else rm -rf "$workdir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE

# Fills the @PLACEHOLDERS@ of a template.
render() {
  sed -e "s|@WORKDIR@|$workdir|g" -e "s|@LISTEN_PORT@|$2|g" -e "s|@BACKEND@|$backend_bin|g" \
    -e "s|@INSTANCES@|$instances|g" "$here/$1" > "$workdir/${1%.in}"
}

wait_until_serving() {
  for _ in $(seq 200); do
    if [ "$(curl -s -m 1 "$1" || true)" = hello ]; then return 0; fi
    sleep 0.05
  done
  return 1
}

load_args() {
  local args=("${on_load[@]}" "$load_bin" --url "$url" --connections "$connections" --threads 1 --json)
  [ "$rate" != 0 ] && args+=(--rate "$rate")
  [ "$cookies" = 1 ] && args+=(--cookies)
  printf '%s\n' "${args[@]}"
}

run_steady() {
  local args
  mapfile -t args < <(load_args)
  "${args[@]}" --duration "$2" > "$1" 2> /dev/null || true
}

start_load() {
  local args
  mapfile -t args < <(load_args)
  "${args[@]}" --duration "$max_phase" > "$1" 2> /dev/null &
  load_pid=$!
  live[$load_pid]=1
}

stop_load() {
  kill -INT "$load_pid" 2> /dev/null || true
  wait "$load_pid" 2> /dev/null || true
  unset "live[$load_pid]"
  load_pid=""
}

version_n=1
next_version() { version_n=$((version_n + 1)); version="v$version_n"; }

# --- Baton -----------------------------------------------------------------
baton_home="$workdir/baton-home"
baton_pid=""

start_baton() {
  [ -x "$baton_bin" ] || { note "skipping baton: $baton_bin is not built yet"; return 1; }
  local port
  port=$(free_port)
  render baton.toml.in "$port"
  "${on_sut[@]}" "$baton_bin" daemon --config "$workdir/baton.toml" --home "$baton_home" \
    > "$workdir/baton.log" 2>&1 &
  baton_pid=$!
  live[$baton_pid]=1
  url="http://127.0.0.1:$port/hello"
  for _ in $(seq 200); do
    [ "$(grep -c "event=instance_ready service=web" "$workdir/baton.log" || true)" -ge "$instances" ] && break
    sleep 0.05
  done
  wait_until_serving "$url" || { note "baton does not serve $url"; return 1; }
}

deploy_baton() {  # STRATEGY VERSION
  timeout "$deploy_limit" "${on_sut[@]}" "$baton_bin" deploy web --home "$baton_home" --version "$2" \
    --strategy "$1" -- "$backend_bin" --listen '127.0.0.1:{port}' --name "$2" >> "$workdir/deploys.log" 2>&1
}

stop_baton() {
  [ -n "$baton_pid" ] || return 0
  local instance_pids
  instance_pids=$("$baton_bin" ls --json --home "$baton_home" 2> /dev/null |
    "$python" -c 'import json, sys; print(" ".join(str(i["pid"]) for i in json.load(sys.stdin)["instances"]))' \
    2> /dev/null || true)
  # A stop signal leaves the apps running for the next daemon: the bench stops them with it.
  timeout 60 "$baton_bin" shutdown --stop-apps --home "$baton_home" > /dev/null 2>&1 || true
  stop_pid "$baton_pid"
  baton_pid=""
  for pid in $instance_pids; do
    if kill -0 "$pid" 2> /dev/null; then
      note "baton instance $pid outlived the daemon; stopping it"
      kill -KILL "$pid" 2> /dev/null || true
    fi
  done
}

# --- PM2 cluster mode ------------------------------------------------------
pm2_port=""

start_pm2() {
  if ! bash "$here/setup.sh"; then
    note "skipping pm2: node, npm or pm2 could not be installed (see above)"
    return 1
  fi
  pm2="$here/.node/node_modules/.bin/pm2"
  pm2_port=$(free_port)
  VERSION=v1 PORT=$pm2_port timeout 60 "${on_sut[@]}" "$pm2" start "$here/app.js" -i "$instances" \
    --name web > "$workdir/pm2.log" 2>&1 || { note "pm2 start failed (see $workdir/pm2.log)"; return 1; }
  url="http://127.0.0.1:$pm2_port/hello"
  wait_until_serving "$url" || { note "pm2 does not serve $url"; return 1; }
}

deploy_pm2() {  # STRATEGY(ignored) VERSION
  VERSION=$2 PORT=$pm2_port timeout "$deploy_limit" "${on_sut[@]}" "$pm2" reload web --update-env \
    >> "$workdir/deploys.log" 2>&1
}

# --- the classic nginx script ----------------------------------------------
nginx_backends=()
nginx_pid=""

# Starts INSTANCES test apps of VERSION on new ports; sets new_backends and new_ports.
start_app_instances() {
  new_backends=()
  new_ports=()
  local i
  for i in $(seq "$instances"); do
    local out="$workdir/app-$1-$i.out" line=""
    "${on_sut[@]}" "$backend_bin" --listen 127.0.0.1:0 --name "$1" > "$out" 2>&1 &
    new_backends+=($!)
    live[$!]=1
    for _ in $(seq 200); do
      line=$(head -n1 "$out")
      [ -n "$line" ] && break
      sleep 0.01
    done
    new_ports+=("${line##*:}")
  done
}

write_upstream() {
  local port
  {
    echo "upstream app {"
    for port in "${new_ports[@]}"; do echo "  server 127.0.0.1:$port;"; done
    echo "  keepalive 32;"
    echo "}"
  } > "$workdir/upstream.conf"
}

# The script a team would write: start the new version beside the old one,
# poll it with curl until it answers, point nginx at it, reload, give the old
# workers time to finish, stop the old version.
deploy_nginx() {  # STRATEGY(ignored) VERSION
  local old=("${nginx_backends[@]}") port
  start_app_instances "$2"
  for port in "${new_ports[@]}"; do
    local healthy=0
    for _ in $(seq 200); do
      if curl -fs -m 1 -o /dev/null "http://127.0.0.1:$port/health"; then healthy=1; break; fi
      sleep 0.05
    done
    [ "$healthy" = 1 ] || { for pid in "${new_backends[@]}"; do stop_pid "$pid"; done; return 1; }
  done
  write_upstream
  "${on_sut[@]}" nginx -e "$workdir/nginx-error.log" -p "$workdir" -c "$workdir/nginx.conf" -s reload
  sleep "$nginx_settle"
  for pid in "${old[@]}"; do stop_pid "$pid"; done
  nginx_backends=("${new_backends[@]}")
}

start_nginx() {
  command -v nginx > /dev/null || { note "skipping nginx: not installed (scripts/setup.sh)"; return 1; }
  local port
  port=$(free_port)
  render nginx.conf.in "$port"
  start_app_instances v1
  nginx_backends=("${new_backends[@]}")
  write_upstream
  "${on_sut[@]}" nginx -e "$workdir/nginx-error.log" -p "$workdir" -c "$workdir/nginx.conf" &
  nginx_pid=$!
  live[$nginx_pid]=1
  url="http://127.0.0.1:$port/hello"
  wait_until_serving "$url" || { note "nginx does not serve $url"; return 1; }
}

stop_nginx() {
  [ -n "$nginx_pid" ] && stop_pid "$nginx_pid"
  for pid in "${nginx_backends[@]}"; do stop_pid "$pid"; done
  nginx_backends=()
  nginx_pid=""
}

# --- measuring -------------------------------------------------------------
# One row: a calibration deploy (sets the length of the steady run), a steady
# run as long as the deploys are expected to take, then DEPLOYS deploys back
# to back under the same load.
measure_deploys() {  # SYSTEM STRATEGY
  local system=$1 strategy=$2 tag="$1-$2" start calibration length failures=0
  next_version
  start=$(now_ns)
  if ! "deploy_$system" "$strategy" "$version"; then
    note "$system $strategy: the calibration deploy failed (see deploys.log); skipping"
    tail -n 20 "$workdir/deploys.log" >&2
    return 0
  fi
  calibration=$(seconds_since "$start")
  length=$("$python" -c "print(f'{max(2.0, 2 * $lead + $deploys * ($calibration + $gap)):.2f}')")
  note "$system $strategy: steady run of ${length}s (one deploy took ${calibration}s)"
  run_steady "$workdir/$tag-steady.json" "$length"
  : > "$workdir/$tag-times"
  start_load "$workdir/$tag-deploys.json"
  sleep "$lead"
  for i in $(seq "$deploys"); do
    next_version
    start=$(now_ns)
    if ! "deploy_$system" "$strategy" "$version"; then
      failures=$((failures + 1))
      note "$system $strategy: deploy $i ($version) failed"
    fi
    seconds_since "$start" >> "$workdir/$tag-times"
    sleep "$gap"
  done
  sleep "$lead"
  stop_load
  echo "deploy $system $strategy $workdir/$tag-steady.json $workdir/$tag-deploys.json $workdir/$tag-times $failures" \
    >> "$workdir/results"
  "$python" "$here/summarize.py" --line "$system" "$strategy" "$workdir/$tag-steady.json" \
    "$workdir/$tag-deploys.json" "$workdir/$tag-times" >&2
}

# Baton only: a blue-green deploy, then `baton rollback` to the release it
# replaced (warm standby), ROLLBACKS times under load. A polling client on the
# load core records when the old version first answers.
measure_rollbacks() {
  local previous="v$version_n" seen took
  : > "$workdir/rollback-times"
  start_load "$workdir/rollback.json"
  sleep "$lead"
  for i in $(seq "$rollbacks"); do
    next_version
    if ! deploy_baton blue-green "$version"; then note "rollback $i: the blue-green deploy failed"; continue; fi
    # The poller starts the command itself, on the system's core, once its connection is up: the
    # clock runs from the command's own start, no wrapper process (timeout, taskset) included.
    "${on_load[@]}" "$python" "$here/first_seen.py" --url "$url" --version "$previous" \
      --timeout "$deploy_limit" --command-output "$workdir/rollback-$i.json" ${on_sut:+--command-cpu "$sut_cpu"} \
      -- "$baton_bin" rollback web --home "$baton_home" --json > "$workdir/poll.out" 2>> "$workdir/deploys.log" ||
      note "rollback $i: the polling client never saw $previous, or the command failed"
    read -r seen took < "$workdir/poll.out" || { seen=-; took=-; }
    # The daemon's own account: milliseconds from accepting the rollback to the route switch.
    read -r switched ok < <("$python" -c 'import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
switched = next((e["elapsed_ms"] for e in events if e.get("event") == "switched"), "-")
print(switched, any(e.get("event") == "end" and e.get("ok") for e in events))' "$workdir/rollback-$i.json" \
      2> /dev/null || echo "- False")
    [ "$ok" = True ] || note "rollback $i failed: $(tail -n 3 "$workdir/rollback-$i.json")"
    echo "$took $seen $switched" >> "$workdir/rollback-times"
    sleep "$gap"
  done
  sleep "$lead"
  stop_load
  echo "rollback baton blue-green $workdir/rollback.json $workdir/rollback-times" >> "$workdir/results"
}

describe_machine() {
  echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
  local versions
  versions="$("$baton_bin" version 2> /dev/null || echo 'baton ?'), $(nginx -v 2>&1 | cut -d' ' -f3)"
  if [ -x "$here/.node/node_modules/.bin/pm2" ]; then
    versions+=", node $(node --version), pm2 $(node -p "require('$here/.node/node_modules/pm2/package.json').version")"
  fi
  echo "versions: $versions"
  if [ ${#on_sut[@]} -gt 0 ]; then
    echo "pinning: system under test on cpu $sut_cpu; baton-load and the polling client on cpu $load_cpu"
  else
    echo "pinning: none"
  fi
  local paced="as fast as answered"
  [ "$rate" != 0 ] && paced="$rate req/s in total"
  echo "load: baton-load GET /hello, $connections keep-alive connections, $paced$([ "$cookies" = 1 ] && echo ', cookies kept')"
  local spacing="back to back"
  [ "$gap" != 0 ] && spacing="${gap}s apart"
  echo "apps: $instances instances; $deploys deploys per row, $spacing"
}

main() {
  [ -x "$load_bin" ] || { note "no $load_bin; build first (scripts/build.sh)"; exit 1; }
  [ -x "$backend_bin" ] || { note "no $backend_bin; build first (scripts/build.sh)"; exit 1; }
  : > "$workdir/results"
  for system in $systems; do
    case $system in
      baton)
        if start_baton; then
          for strategy in $strategies; do measure_deploys baton "$strategy"; done
          if [ "$rollbacks" -gt 0 ]; then measure_rollbacks; fi
        fi
        stop_baton ;;
      pm2)
        if start_pm2; then measure_deploys pm2 reload; fi
        stop_pm2 ;;
      nginx)
        if start_nginx; then measure_deploys nginx script; fi
        stop_nginx ;;
      *) note "unknown system $system (baton, pm2, nginx)" ;;
    esac
  done
  echo
  describe_machine
  echo
  "$python" "$here/summarize.py" "$workdir/results"
}

main "$@"
