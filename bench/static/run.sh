#!/usr/bin/env bash
# Baton and nginx serving the same published site on 127.0.0.1, one core each, loaded by wrk on
# the other core: requests per second for a small file and a large one, and Baton's ratio.
# Also times a publish of a 50 MB build and a rollback.
#
#   bench/static/run.sh                      # defaults below
#   DURATION=5 CONNECTIONS=64 bench/static/run.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
baton_bin=${BATON:-$build_dir/src/baton}
duration=${DURATION:-10}
connections=${CONNECTIONS:-50}
server_cpu=${SERVER_CPU:-0}
load_cpu=${LOAD_CPU:-1}

workdir=$(mktemp -d /tmp/baton-bench-static.XXXXXX)
chmod 755 "$workdir"  # nginx workers run as another user when started by root
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
note() { echo "bench: $*" >&2; }

on_server_cpu=()
on_load_cpu=()
if [ "$(nproc)" -ge 2 ]; then
  on_server_cpu=(taskset -c "$server_cpu")
  on_load_cpu=(taskset -c "$load_cpu")
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
render() { sed -e "s|@WORKDIR@|$workdir|g" -e "s|@LISTEN_PORT@|$2|g" "$here/$1" > "$workdir/${1%.in}"; }

wait_until_serving() {
  for _ in $(seq 100); do
    if curl -sf -m 1 -o /dev/null "http://127.0.0.1:$1/index.html"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# The site: a 1 KiB page, a 4 KiB hashed asset and a 10 MiB file; then 50 MB for the publish timing.
make_builds() {
  mkdir -p "$workdir/build/assets" "$workdir/big-build"
  head -c 1024 /dev/urandom | base64 -w 76 | head -c 1024 > "$workdir/build/index.html"
  head -c 4096 /dev/urandom | base64 -w 76 | head -c 4096 > "$workdir/build/assets/app.1a2b3c4d.js"
  head -c $((10 << 20)) /dev/urandom > "$workdir/build/large.bin"
  cp -r "$workdir/build/." "$workdir/big-build/"
  echo "<!-- big -->" >> "$workdir/big-build/index.html"  # another size, so another ETag: the rollback timing tells them apart
  for i in $(seq 50); do head -c $((1 << 20)) /dev/urandom > "$workdir/big-build/chunk-$i.bin"; done
}

publish() { "$baton_bin" site publish bench "$1" --root "$workdir/site" "${@:2}"; }

# req/s of one wrk run.
rate() {
  "${on_load_cpu[@]}" wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$1$2" 2>&1 |
    awk '/Requests\/sec/ {print $2}'
}

[ -x "$baton_bin" ] || { note "no $baton_bin; build first (scripts/build.sh)"; exit 1; }
command -v wrk > /dev/null || { note "wrk is not installed"; exit 1; }
make_builds
publish "$workdir/build" --version bench > /dev/null

baton_port=$(free_port)
render baton.toml.in "$baton_port"
"${on_server_cpu[@]}" "$baton_bin" daemon --config "$workdir/baton.toml" --home "$workdir/home" 2> "$workdir/baton.err" &
pids+=($!)
wait_until_serving "$baton_port" || { note "baton does not serve"; cat "$workdir/baton.err" >&2; exit 1; }

nginx_port=""
if command -v nginx > /dev/null; then
  nginx_port=$(free_port)
  render nginx.conf.in "$nginx_port"
  "${on_server_cpu[@]}" nginx -e "$workdir/nginx-error.log" -p "$workdir" -c "$workdir/nginx.conf" &
  pids+=($!)
  wait_until_serving "$nginx_port" || { note "nginx does not serve; leaving it out"; nginx_port=""; }
else
  note "nginx is not installed: Baton alone"
fi

printf '%-28s %12s %12s %8s\n' "file" "baton req/s" "nginx req/s" "ratio"
for path in /index.html /assets/app.1a2b3c4d.js /large.bin; do
  b=$(rate "$baton_port" "$path")
  n=-
  r=-
  if [ -n "$nginx_port" ]; then
    n=$(rate "$nginx_port" "$path")
    r=$(python3 -c "print(f'{$b / $n:.2f}')")
  fi
  printf '%-28s %12s %12s %8s\n' "$path" "$b" "$n" "$r"
done

echo
publish "$workdir/big-build" --version big
# Rollback and roll forward, 20 times each way: from the command's start to the first response
# of the other release on a keep-alive connection (process start included), and to its exit.
python3 - "$baton_bin" "$workdir/site" "$baton_port" <<'PY'
import os, socket, statistics, subprocess, sys, time
baton, root, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
conn = socket.create_connection(("127.0.0.1", port))

def etag():
    conn.sendall(b"HEAD /index.html HTTP/1.1\r\nHost: bench\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    return [l for l in head.split(b"\r\n") if l.lower().startswith(b"etag:")][0]

releases = sorted(os.listdir(f"{root}/releases"))
switched, finished = [], []
for i in range(40):
    target = releases[-2] if i % 2 == 0 else releases[-1]
    before = etag()
    start = time.monotonic()
    command = subprocess.Popen([baton, "site", "rollback", "bench", "--root", root, "--to", target],
                               stdout=subprocess.DEVNULL)
    while etag() == before:
        if time.monotonic() - start > 5:
            sys.exit("rollback: the other release was never served")
    switched.append((time.monotonic() - start) * 1000)
    command.wait()
    finished.append((time.monotonic() - start) * 1000)
def row(name, values):
    values = sorted(values)
    print(f"{name}: median {statistics.median(values):.1f} ms, p90 {values[int(len(values) * 0.9)]:.1f} ms")
row("rollback, command start to the other release served", switched)
row("rollback, command start to its exit", finished)
PY
