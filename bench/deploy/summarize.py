#!/usr/bin/env python3
"""Turns run.sh's raw results into the comparison tables.

  summarize.py RESULTS
  summarize.py --line SYSTEM STRATEGY STEADY_JSON DEPLOYS_JSON TIMES   (one progress line)

RESULTS lines:
  deploy SYSTEM STRATEGY STEADY_JSON DEPLOYS_JSON TIMES FAILED_DEPLOYS
  rollback baton blue-green LOAD_JSON ROLLBACK_TIMES
The JSON files are baton-load --json summaries; TIMES has one deploy's wall
time in seconds a line; ROLLBACK_TIMES has `COMMAND_NS SEEN_NS [seen]` a line.
"""
import json
import statistics
import sys

ORDER = ["baton", "pm2", "nginx"]
LABEL = {"baton": "Baton", "pm2": "PM2 cluster", "nginx": "nginx script"}
REFERENCES = ["pm2", "nginx"]


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def load_times(path):
    with open(path) as f:
        return [float(line) for line in f if line.strip()]


def per_ten(failed, deploys):
    return failed * 10 / deploys if deploys else 0.0


def failures(summary):
    parts = [f"{k}={v}" for k, v in summary.get("statuses", {}).items() if not k.startswith("2")]
    parts += [f"{k}={v}" for k, v in summary.get("errors", {}).items()]
    return " ".join(parts) or "none"


class Row:
    def __init__(self, system, strategy, steady, during, times, failed_deploys=0):
        self.system, self.strategy = system, strategy
        self.steady, self.during, self.times = steady, during, times
        self.failed_deploys = failed_deploys
        self.deploys = len(times)
        self.seconds = statistics.mean(times) if times else 0.0


def one_line(row):
    s, d = row.steady or {}, row.during or {}
    return (f"{row.system} {row.strategy}: {row.deploys} deploys, mean {row.seconds:.2f} s;"
            f" steady p99 {s.get('p99_ms', 0):.2f} ms; during deploys {d.get('requests', 0)} requests,"
            f" {d.get('failed', 0)} failed ({failures(d)}), p99 {d.get('p99_ms', 0):.2f} ms,"
            f" max {d.get('max_ms', 0):.1f} ms, {d.get('version_regressions', 0)} version regressions")


def ratio(value, reference):
    if reference is None or reference == 0:
        return "-"
    return f"{value / reference:.2f}"


def print_table(header, rows):
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths)))


def deploy_table(rows):
    reference = {}
    for row in rows:
        if row.system in REFERENCES and row.during:
            reference[row.system] = row
    header = (["system", "strategy", "deploys", "requests", "failed", "per 10", "p99 steady",
               "p99 deploys", "x steady", "max ms", "s/deploy"]
              + [f"p99 vs {r}" for r in REFERENCES] + [f"s vs {r}" for r in REFERENCES])
    lines = []
    for row in sorted(rows, key=lambda r: ORDER.index(r.system) if r.system in ORDER else len(ORDER)):
        s, d = row.steady, row.during
        if not s or not d:
            print(f"{row.system} {row.strategy}: no load summary (baton-load failed?)", file=sys.stderr)
            continue
        cells = [LABEL.get(row.system, row.system), row.strategy, str(row.deploys), f"{d['requests']:,}",
                 str(d["failed"]), f"{per_ten(d['failed'], row.deploys):.1f}", f"{s['p99_ms']:.2f}",
                 f"{d['p99_ms']:.2f}", ratio(d["p99_ms"], s["p99_ms"]), f"{d['max_ms']:.1f}",
                 f"{row.seconds:.2f}"]
        for r in REFERENCES:
            ref = reference.get(r)
            cells.append("-" if ref is None or ref is row else ratio(d["p99_ms"], ref.during["p99_ms"]))
        for r in REFERENCES:
            ref = reference.get(r)
            cells.append("-" if ref is None or ref is row else ratio(row.seconds, ref.seconds))
        lines.append(cells)
    print_table(header, lines)
    print()
    print("failures during deploys, by kind (statuses and baton-load error classes):")
    for row in rows:
        if row.during:
            extra = f", {row.failed_deploys} deploy command(s) failed" if row.failed_deploys else ""
            if row.steady and row.steady["failed"]:
                extra += f"; the steady run failed {row.steady['failed']} ({failures(row.steady)})"
            print(f"  {LABEL.get(row.system, row.system)} {row.strategy}: {failures(row.during)};"
                  f" version regressions {row.during.get('version_regressions', 0)}{extra}")


def rollback_table(summary, path):
    with open(path) as f:
        samples = [line.split() for line in f if line.strip()]
    if not samples or not summary:
        print("no rollback measured")
        return
    # Milliseconds from the command's start, as first_seen.py measures them.
    command_ms = [float(s[0]) for s in samples if s[0] != "-"]
    seen_ms = [float(s[1]) for s in samples if s[1] != "-"]
    switch_ms = [float(s[2]) for s in samples if len(s) > 2 and s[2] != "-"]

    def mean_max(values, digits=1):
        if not values:
            return ["-", "-"]
        return [f"{statistics.mean(values):.{digits}f}", f"{max(values):.{digits}f}"]

    print(f"Baton blue-green: baton rollback to the warm standby, {len(samples)} times, each right after"
          " a blue-green deploy, under the same load")
    header = ["rollbacks", "command ms", "max", "old version seen ms", "max", "daemon switch ms", "max",
              "requests", "failed", "per 10", "p99 ms", "max ms"]
    print_table(header, [[str(len(samples))] + mean_max(command_ms) + mean_max(seen_ms) + mean_max(switch_ms)
                         + [f"{summary['requests']:,}", str(summary["failed"]),
                            f"{per_ten(summary['failed'], len(samples)):.1f}", f"{summary['p99_ms']:.2f}",
                            f"{summary['max_ms']:.1f}"]])
    if len(seen_ms) < len(samples):
        print(f"  the polling client did not see the old version after {len(samples) - len(seen_ms)} rollback(s)")
    print(f"  failures: {failures(summary)}; version regressions {summary.get('version_regressions', 0)}"
          " (expected: a rollback sends every client back)")


def main():
    if sys.argv[1] == "--line":
        system, strategy, steady, during, times = sys.argv[2:7]
        print("bench: " + one_line(Row(system, strategy, load_json(steady), load_json(during), load_times(times))))
        return
    rows, rollbacks = [], []
    with open(sys.argv[1]) as results:
        for line in results:
            fields = line.split()
            if fields[0] == "deploy":
                _, system, strategy, steady, during, times, failed = fields
                rows.append(Row(system, strategy, load_json(steady), load_json(during), load_times(times),
                                int(failed)))
            elif fields[0] == "rollback":
                rollbacks.append((load_json(fields[3]), fields[4]))
    if rows:
        print("Deploys under load: failed requests, p99 latency during deploys vs a steady run of the"
              " same length, time per deploy")
        deploy_table(rows)
    for summary, path in rollbacks:
        print()
        rollback_table(summary, path)


if __name__ == "__main__":
    main()
