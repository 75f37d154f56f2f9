#!/usr/bin/env python3
"""Reads what bench/soak/run.sh left in its work directory and prints the soak's
numbers and verdict; exits 1 unless it is PASS. See run.sh for the rules."""
import argparse
import json
import sys
from pathlib import Path

LOADS = [("get", "keep-alive GET"), ("post", "POST 16 KiB body"), ("close", "new connection per GET")]


def read_json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def read_samples(path):
    rows = []
    for line in path.read_text().split("\n"):
        if line.strip():
            t, rss, fds = line.split()
            rows.append((int(t), int(rss), int(fds)))
    return rows


def nearest(samples, t):
    return min(samples, key=lambda s: abs(s[0] - t))


def traffic_problems(workdir, lines):
    problems = []
    for name, what in LOADS:
        summary = read_json(workdir / f"{name}.json")
        if summary is None:
            problems.append(f"{name}: no summary from baton-load")
            continue
        requests, failed = summary["requests"], summary["failed"]
        lines.append(f"  {what:<24} {requests:>9} requests, {failed} failed")
        if requests == 0 or failed:
            problems.append(f"{name}: {failed} of {requests} requests failed: {summary}")
    ws = read_json(workdir / "ws.json")
    if ws is None:
        problems.append("websocket: no summary")
    else:
        lines.append(f"  {'WebSocket echo':<24} {ws['messages']:>9} messages, {ws['failed']} failed "
                     f"({ws['connections']} connections, {ws['cuts']} cut by a drain and reopened)")
        if ws["messages"] == 0 or ws["failed"]:
            problems.append(f"websocket: {ws}")
    return problems


def resource_problems(samples, seconds, fd_tolerance, rss_tolerance_pct, lines):
    baseline_t = 60 if seconds >= 120 else seconds // 3
    start, base, middle, end = samples[0], nearest(samples, baseline_t), nearest(samples, seconds / 2), samples[-1]
    lines.append(f"  {'sample':<8} {'t (s)':>6} {'VmRSS (KiB)':>12} {'fds':>5}")
    for label, (t, rss, fds) in [("start", start), ("baseline", base), ("middle", middle), ("end", end)]:
        lines.append(f"  {label:<8} {t:>6} {rss:>12} {fds:>5}")
    problems = []
    # A deploy in progress holds extra fds for a moment (new instances' pipes, health probes,
    # reconnecting clients); a leak never gives them back. So the last quarter's lowest count is
    # what must stay near the baseline.
    late = [fds for t, _, fds in samples if t >= seconds * 3 / 4] or [end[2]]
    settled = min(late)
    lines.append(f"  {'settled':<8} {'':>6} {'':>12} {settled:>5}  (lowest fd count in the last quarter)")
    # The baseline sample itself may fall on a deploy's extra fds, so only growth counts: fewer
    # fds at the end is a deploy or a reconnect that was in flight at the baseline, never a leak.
    if settled > base[2] + fd_tolerance:
        problems.append(f"open fds went from {base[2]} at {base[0]} s to {settled} at the lowest in the last quarter "
                        f"(tolerance +{fd_tolerance})")
    rss_limit = base[1] * (100 + rss_tolerance_pct) // 100
    if seconds >= 120 and end[1] > rss_limit:
        problems.append(f"VmRSS went from {base[1]} KiB at {base[0]} s to {end[1]} (limit +{rss_tolerance_pct}%)")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--fd-tolerance", type=int, required=True)
    parser.add_argument("--rss-tolerance-pct", type=int, required=True)
    args = parser.parse_args()
    deploys, failed_deploys = (int(x) for x in (args.dir / "deploys").read_text().split())
    lines = [f"soak: {args.seconds} s, {deploys} rolling deploys ({failed_deploys} failed)"]
    problems = [f"{failed_deploys} deploys failed"] if failed_deploys else []
    problems += traffic_problems(args.dir, lines)
    samples = read_samples(args.dir / "samples")
    if len(samples) < 3:
        problems.append(f"only {len(samples)} samples")
    else:
        problems += resource_problems(samples, args.seconds, args.fd_tolerance, args.rss_tolerance_pct, lines)
    lines.append("  all samples (t rss_kib fds): " + ", ".join(f"{t} {r} {f}" for t, r, f in samples))
    print("\n".join(lines))
    print("verdict: " + ("PASS" if not problems else "FAIL\n  " + "\n  ".join(problems)))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
