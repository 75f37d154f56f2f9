#!/usr/bin/env python3
"""Turns run.sh's raw results into the comparison table.

Input lines: NAME CONNECTIONS ROUND REQ_PER_SEC P99_MS ERRORS BACKEND_CONNECTIONS
CPU_US_PER_REQUEST LOAD_CORE_BUSY_PERCENT
Output: per (name, connections), the median over rounds, with req/s as a
fraction of the direct (no proxy) run and of nginx and HAProxy, how many
connections the backend accepted per run (pooling: ideally a handful), the
proxy's CPU time per request (the backend's on the direct row) with its ratio
to nginx's and HAProxy's, and how busy the core of wrk and the backend was.
When that core is at 100 %, it sets the req/s of every proxy alike, and CPU
per request is the comparison that still tells the proxies apart.
"""
import statistics
import sys
from collections import defaultdict

ORDER = ["direct", "nginx", "haproxy", "baton_before", "baton"]
REFERENCES = ["direct", "nginx", "haproxy"]


def load(path):
    runs = defaultdict(list)
    with open(path) as results:
        for line in results:
            name, connections, _, rps, p99, errors, upstream, cpu_us, load_busy = line.split()
            runs[(name, int(connections))].append((float(rps), float(p99), int(errors), int(upstream),
                                                   float(cpu_us), int(load_busy)))
    return runs


def medians(runs):
    table = {}
    for key, samples in runs.items():
        table[key] = (statistics.median(s[0] for s in samples),
                      statistics.median(s[1] for s in samples),
                      sum(s[2] for s in samples), statistics.median(s[3] for s in samples),
                      len(samples), statistics.median(s[4] for s in samples),
                      statistics.median(s[5] for s in samples))
    return table


def ratio(table, name, reference, connections):
    ref = table.get((reference, connections))
    if ref is None or name == reference:
        return "-"
    return f"{table[(name, connections)][0] / ref[0]:.2f}"


def cpu_ratio(table, name, reference, connections):
    ref = table.get((reference, connections))
    if ref is None or name == reference or name == "direct" or not ref[5]:
        return "-"
    return f"{table[(name, connections)][5] / ref[5]:.2f}"


def main():
    table = medians(load(sys.argv[1]))
    # With an earlier build beside the current one (BATON_BEFORE), what the change costs per request.
    cpu_references = ["nginx", "haproxy"] + (["baton_before"] if any(n == "baton_before" for n, _ in table) else [])
    header = (["proxy", "conns", "req/s", "p99 ms"] + [f"vs {r}" for r in REFERENCES]
              + ["errors", "backend conns", "rounds", "cpu us/req"] + [f"cpu vs {r}" for r in cpu_references]
              + ["load core busy %"])
    rows = []
    for connections in sorted({c for _, c in table}):
        for name in sorted({n for n, _ in table}, key=lambda n: (ORDER + [n]).index(n)):
            if (name, connections) not in table:
                continue
            rps, p99, errors, upstream, rounds, cpu_us, load_busy = table[(name, connections)]
            rows.append([name, str(connections), f"{rps:,.0f}", f"{p99:.2f}"]
                        + [ratio(table, name, r, connections) for r in REFERENCES]
                        + [str(errors), f"{upstream:.0f}", str(rounds), f"{cpu_us:.1f}" if cpu_us else "-"]
                        + [cpu_ratio(table, name, r, connections) for r in cpu_references]
                        + [f"{load_busy:.0f}"])
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths)))


if __name__ == "__main__":
    main()
