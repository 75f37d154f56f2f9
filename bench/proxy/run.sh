#!/usr/bin/env bash
# Benchmarks reverse proxies (nginx, HAProxy, Baton) against the same test
# backend on 127.0.0.1, with wrk, and measures memory per idle connection.
# See README.md for what is measured and why the processes sit where they do.
#
#   bench/proxy/run.sh                      # everything, defaults below
#   DURATION=5 ROUNDS=1 PROXIES="nginx" bench/proxy/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
duration=${DURATION:-10}                # seconds per wrk run
rounds=${ROUNDS:-3}                     # interleaved rounds; the table shows medians
connection_counts=${CONNECTIONS:-"50 256"}
idle_count=${IDLE_CONNECTIONS:-10000}   # 0 skips the memory measurement
proxies=${PROXIES:-"nginx haproxy baton"}
backend_bin=${BACKEND:-$build_dir/tests/support/baton-test-backend}
baton_bin=${BATON:-$build_dir/src/baton}
baton_before_bin=${BATON_BEFORE:-}     # another baton binary (an earlier commit), run as "baton_before"
proxy_cpu=${PROXY_CPU:-0}               # the proxy alone on one core...
load_cpu=${LOAD_CPU:-1}                 # ...backend and wrk together on the other
pin=${PIN:-1}
max_connections=0  # what each proxy is configured to accept; set by fit_fd_limit

workdir=$(mktemp -d /tmp/baton-bench.XXXXXX)
pids=()
declare -A port_of pid_of  # target -> port wrk hits, pid whose memory is read
targets=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { echo "bench: $*" >&2; }

on_proxy_cpu=()
on_load_cpu=()
if [ "$pin" = 1 ] && [ "$(nproc)" -ge 2 ]; then
  on_proxy_cpu=(taskset -c "$proxy_cpu")
  on_load_cpu=(taskset -c "$load_cpu")
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Fills the @PLACEHOLDERS@ of a template.
render() {
  local out=${3:-${1%.in}}
  sed -e "s|@WORKDIR@|$workdir|g" -e "s|@LISTEN_PORT@|$2|g" -e "s|@BACKEND_PORT@|${port_of[direct]}|g" \
    -e "s|@MAX_CONNECTIONS@|$max_connections|g" -e "s|@FD_LIMIT@|$(ulimit -n)|g" \
    "$here/$1" > "$workdir/$out"
}

# HAProxy reserves two descriptors per allowed connection (client and server
# side) and refuses to start without them, so the descriptor limit bounds how
# many idle connections can be measured.
fit_fd_limit() {
  local wanted=$((2 * (idle_count + 500) + 200))
  if [ "$(ulimit -Hn)" -lt "$wanted" ]; then ulimit -Hn "$wanted" 2> /dev/null || true; fi
  ulimit -n "$(ulimit -Hn)"
  local fits=$((($(ulimit -n) - 200) / 2 - 500))
  if [ "$idle_count" -gt "$fits" ]; then
    note "ulimit -n cannot go above $(ulimit -n): measuring $fits idle connections, not $idle_count"
    idle_count=$fits
  fi
  # Never below a few thousand: a proxy at 256 client connections may hold as
  # many upstream ones, and HAProxy closes idle upstream connections early
  # when they near a quarter of its descriptors.
  max_connections=$((idle_count + 500 > 4000 ? idle_count + 500 : 4000))
}

wait_until_serving() {
  for _ in $(seq 100); do
    if [ "$(curl -s -m 1 "http://127.0.0.1:$1/hello" || true)" = hello ]; then return 0; fi
    sleep 0.1
  done
  return 1
}

add_target() {
  if ! wait_until_serving "$2"; then
    note "$1 does not answer GET /hello on port $2; leaving it out"
    return 1
  fi
  port_of[$1]=$2
  pid_of[$1]=$3
  targets+=("$1")
}

start_backend() {
  [ -x "$backend_bin" ] || { note "no $backend_bin; build first (scripts/build.sh)"; exit 1; }
  "${on_load_cpu[@]}" "$backend_bin" --listen 127.0.0.1:0 --threads 1 > "$workdir/backend.out" &
  pids+=($!)
  local pid=$! line=""
  for _ in $(seq 100); do
    line=$(head -n1 "$workdir/backend.out")
    [ -n "$line" ] && break
    sleep 0.05
  done
  port_of[direct]=${line##*:}
  add_target direct "${port_of[direct]}" "$pid"
}

start_nginx() {
  command -v nginx > /dev/null || { note "skipping nginx: not installed"; return 0; }
  local port
  port=$(free_port)
  render nginx.conf.in "$port"
  "${on_proxy_cpu[@]}" nginx -e "$workdir/nginx-error.log" -p "$workdir" -c "$workdir/nginx.conf" &
  pids+=($!)
  local master=$!
  wait_until_serving "$port" || true  # by then the worker exists
  # One worker serves every connection; the master only supervises it.
  add_target nginx "$port" "$(pgrep -P "$master" | head -n1)"
}

start_haproxy() {
  command -v haproxy > /dev/null || { note "skipping haproxy: not installed"; return 0; }
  local port
  port=$(free_port)
  render haproxy.cfg.in "$port"
  "${on_proxy_cpu[@]}" haproxy -db -f "$workdir/haproxy.cfg" > "$workdir/haproxy.log" 2>&1 &
  pids+=($!)
  add_target haproxy "$port" "$!"
}

# $1: the target's name, $2: the binary. Each daemon gets a home of its own.
start_baton_binary() {
  [ -x "$2" ] || { note "skipping $1: $2 is not built yet"; return 0; }
  local port
  port=$(free_port)
  render baton.toml.in "$port" "$1.toml"
  BATON_HOME="$workdir/home-$1" "${on_proxy_cpu[@]}" "$2" daemon --config "$workdir/$1.toml" \
    > "$workdir/$1.log" 2>&1 &
  pids+=($!)
  add_target "$1" "$port" "$!"
}

start_baton() { start_baton_binary baton "$baton_bin"; }
start_baton_before() { start_baton_binary baton_before "$baton_before_bin"; }

# wrk prints latencies as 850.00us, 1.20ms or 1.05s; this gives milliseconds.
p99_ms() {
  awk '$1 == "99%" { v = $2
    if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v) }
    else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
    print v }'
}

failed_requests() {
  awk '/Non-2xx/ { e += $NF } /Socket errors/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }'
}

# Connections the backend accepted since the last call: how well a proxy pools
# its upstream side (the request for the count is itself one connection).
backend_connections_since_last() {
  local stats
  stats=$(curl -s "http://127.0.0.1:${port_of[direct]}/stats")
  curl -s "http://127.0.0.1:${port_of[direct]}/stats/reset" > /dev/null
  echo $(($(sed -E 's/.*"connections":([0-9]+).*/\1/' <<< "$stats") - 1))
}

# CPU time a process has used, in clock ticks (utime + stime).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# A core's busy and total jiffies, from /proc/stat.
core_jiffies() { awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

measure() {
  local name=$1 connections=$2 round=$3 out rps p99 errors upstream ticks_before ticks_after
  local load_busy_before load_total_before load_busy_after load_total_after cpu_us load_busy
  backend_connections_since_last > /dev/null
  ticks_before=$(cpu_ticks "${pid_of[$name]}")
  read -r load_busy_before load_total_before < <(core_jiffies "$load_cpu")
  out=$("${on_load_cpu[@]}" wrk -t1 -c"$connections" -d"${duration}s" --latency \
    "http://127.0.0.1:${port_of[$name]}/hello")
  ticks_after=$(cpu_ticks "${pid_of[$name]}")
  read -r load_busy_after load_total_after < <(core_jiffies "$load_cpu")
  upstream=$(backend_connections_since_last)
  rps=$(awk '/^Requests\/sec/ { print $2 }' <<< "$out")
  p99=$(p99_ms <<< "$out")
  errors=$(failed_requests <<< "$out")
  # The proxy's CPU time per request (the backend's for the direct run), and how busy the core
  # of wrk and the backend was: at 100 % that core, not the proxy, sets the req/s.
  cpu_us=$(python3 -c "import sys; rps = float(sys.argv[1] or 0)
print(f'{($ticks_after - $ticks_before) * 1e6 / $(getconf CLK_TCK) / (rps * $duration):.1f}' if rps > 0 else 0)" "$rps")
  load_busy=$(((load_busy_after - load_busy_before) * 100 / (load_total_after - load_total_before + 1)))
  echo "$name $connections $round $rps $p99 $errors $upstream $cpu_us $load_busy" >> "$workdir/results"
  note "round $round/$rounds  $name  c=$connections  $rps req/s  p99 ${p99} ms" \
    " errors $errors  backend connections $upstream  cpu ${cpu_us} us/req  load core ${load_busy}% busy"
}

# Rounds interleave the targets so slow drifts (thermal, neighbours) hit all alike.
run_throughput() {
  for name in "${targets[@]}"; do
    "${on_load_cpu[@]}" wrk -t1 -c50 -d1s "http://127.0.0.1:${port_of[$name]}/hello" > /dev/null  # warm-up
  done
  for round in $(seq "$rounds"); do
    for connections in $connection_counts; do
      for name in "${targets[@]}"; do measure "$name" "$connections" "$round"; done
    done
  done
  echo
  echo "GET /hello, wrk -t1, ${duration}s per run, median of $rounds interleaved rounds"
  python3 "$here/summarize.py" "$workdir/results"
}

run_idle_memory() {
  echo
  echo "Resident memory per idle keep-alive connection ($idle_count connections, one request each)"
  printf '%8s  %10s  %14s  %13s\n' target KiB/conn "RSS before KiB" "RSS after KiB"
  for name in "${targets[@]}"; do
    local result
    if result=$(python3 "$here/idle_memory.py" --port "${port_of[$name]}" --pid "${pid_of[$name]}" \
      --count "$idle_count"); then
      read -r per_connection before after <<< "$result"
      printf '%8s  %10s  %14s  %13s\n' "$name" "$per_connection" "$before" "$after"
    else
      note "idle memory for $name failed"
    fi
  done
}

describe_machine() {
  echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
  echo "versions: $(nginx -v 2>&1 | cut -d' ' -f3), $(haproxy -v 2>/dev/null | head -n1 | cut -d' ' -f1-3)"
  if [ ${#on_proxy_cpu[@]} -gt 0 ]; then
    echo "pinning: proxy on cpu $proxy_cpu; backend and wrk on cpu $load_cpu"
  else
    echo "pinning: none"
  fi
}

main() {
  command -v wrk > /dev/null || { note "wrk is not installed"; exit 1; }
  fit_fd_limit
  start_backend
  for proxy in $proxies; do "start_$proxy" || true; done
  describe_machine
  # Memory first, on fresh processes: heap freed after the throughput runs
  # would be reused for the idle connections and hide their cost.
  if [ "$idle_count" -gt 0 ]; then run_idle_memory; fi
  run_throughput
}

main "$@"
