#!/usr/bin/env python3
"""Prints bench/deploy/canary.sh's tables from its work directory: per run the load's JSON
(run-KIND-K.json), the deploy's output (.out), its exit code (.rc) and the daemon's
route_after_window lines (.log)."""
import argparse
import json
import re
import statistics

WEIGHT_ZERO_TARGET_US = 50_000  # the target: weight 0 within 50 ms of the failing verdict


def seconds(text):
    match = re.fullmatch(r"([\d.]+)(ms|s)", text)
    if not match:
        raise SystemExit(f"cannot read the interval {text!r}")
    return float(match[1]) / (1000 if match[2] == "ms" else 1)


def read_run(workdir, kind, k):
    base = f"{workdir}/run-{kind}-{k}"
    load = json.load(open(f"{base}.json"))
    out = open(f"{base}.out").read()
    code = int(open(f"{base}.rc").read())
    routes = [(int(m[1]), int(m[2])) for m in re.finditer(r"canary_weight=(\d+) micros=(\d+)", open(f"{base}.log").read())]
    # The canary's own numbers in its failing window, as the daemon judged them.
    failing = re.search(r"canary failed at (\d+)%: .*?; \S+: (\d+) requests, (\d+) errors", out)
    return load, out, code, routes, failing


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--steps", required=True)
    parser.add_argument("--interval", required=True)
    args = parser.parse_args()
    first_share = int(args.steps.split(",")[0]) / 100
    window = seconds(args.interval)

    print("\nBad canaries: failed requests seen by clients vs the bound (first share x requests in one window),")
    print("and the daemon's time from the failing window's close to the route with weight 0")
    print(f"{'run':>3} {'exit':>4} {'requests':>8} {'failed':>6} {'canary reqs':>11} {'in window':>9} "
          f"{'window errors':>13} {'bound':>6} {'<= bound':>8} {'verdict->w0 us':>14}  verdict")
    failed_all, bounds, w0_all, bad_ok = [], [], [], 0
    for k in range(1, args.runs + 1):
        load, out, code, routes, failing = read_run(args.workdir, "bad", k)
        canary = load["versions"].get(f"bad-{k}", 0)
        bound = first_share * load["rps"] * window
        zero = [us for weight, us in routes if weight == 0]
        w0 = zero[0] if zero else None
        within = load["failed"] <= bound
        failed_all.append(load["failed"])
        bounds.append(bound)
        if w0 is not None:
            w0_all.append(w0)
        aborted = code == 1 and failing is not None
        bad_ok += aborted and within and w0 is not None and w0 <= WEIGHT_ZERO_TARGET_US
        verdict = f"failed at {failing[1]}%" if failing else out.strip().splitlines()[-1][:60]
        print(f"{k:>3} {code:>4} {load['requests']:>8} {load['failed']:>6} {canary:>11} "
              f"{failing[2] if failing else '-':>9} {failing[3] if failing else '-':>13} {bound:>6.0f} "
              f"{'yes' if within else 'NO':>8} {w0 if w0 is not None else '-':>14}  {verdict}")

    print("\nGood canaries: failed requests seen by clients (target 0)")
    print(f"{'run':>3} {'exit':>4} {'requests':>8} {'failed':>6} {'canary reqs':>11} {'statuses/errors':>15}")
    good_failed, good_ok = [], 0
    for k in range(1, args.runs + 1):
        load, out, code, routes, failing = read_run(args.workdir, "good", k)
        kinds = {**load["statuses"], **load["errors"]}
        good_failed.append(load["failed"])
        good_ok += code == 0 and load["failed"] == 0
        verdict = "promoted" if code == 0 else out.strip().splitlines()[-1][:110]
        print(f"{k:>3} {code:>4} {load['requests']:>8} {load['failed']:>6} "
              f"{load['versions'].get(f'good-{k}', 0):>11} {' '.join(f'{a}={b}' for a, b in kinds.items()) or 'none':>15}"
              f"  {verdict}")

    print("\nTotals")
    worst = max(range(len(failed_all)), key=lambda i: failed_all[i] / bounds[i]) if failed_all else None
    if worst is not None:
        print(f"  bad: {bad_ok}/{args.runs} aborted with failed <= bound and weight 0 within "
              f"{WEIGHT_ZERO_TARGET_US // 1000} ms; failed per bad canary max {max(failed_all)}, "
              f"median {statistics.median(failed_all):g}; worst failed/bound {failed_all[worst]}/{bounds[worst]:.0f} "
              f"(run {worst + 1})")
    if w0_all:
        print(f"  verdict -> weight 0: median {statistics.median(w0_all):g} us, max {max(w0_all)} us "
              f"({len(w0_all)} of {args.runs} runs logged it)")
    print(f"  good: {good_ok}/{args.runs} promoted with 0 failed; failed in total {sum(good_failed)}")


if __name__ == "__main__":
    main()
