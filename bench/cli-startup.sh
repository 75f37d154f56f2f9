#!/usr/bin/env bash
# How long `baton ls` takes from exec to exit against a running daemon (target: under 20 ms), and
# `baton version` (no daemon contact) beside it: RUNS runs each, mean, median and 90th percentile.
# The daemon runs one worker service on a temporary home. Usage: bench/cli-startup.sh [BATON] [RUNS]
set -euo pipefail
baton=${1:-build/src/baton}
runs=${2:-200}
home=$(mktemp -d)
cleanup() {
  "$baton" shutdown --stop-apps --home "$home" >/dev/null 2>&1 || true
  rm -rf "$home"
}
trap cleanup EXIT
"$baton" start sleeper --home "$home" -- sleep 100000 >/dev/null
python3 - "$baton" "$home" "$runs" <<'PY'
import statistics, subprocess, sys, time
baton, home, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def measure(args):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.mean(times), statistics.median(times), times[int(len(times) * 0.9)]
for name, args in (("ls", [baton, "ls", "--home", home]), ("version", [baton, "version"])):
    mean, median, p90 = measure(args)
    print(f"baton {name:8} runs={runs} mean={mean:.2f} ms median={median:.2f} ms p90={p90:.2f} ms")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
