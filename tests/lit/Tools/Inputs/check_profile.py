#!/usr/bin/env python3
"""Checks an `openopt profile` run: its table, --json and --trace agree, the
percentages sum to 100, and (optionally) the outputs equal those of
`openopt run` and the op brackets account for most of each run.

  check_profile.py TABLE JSON TRACE [--same-outputs DIR_A DIR_B]
                   [--coverage MIN MAX]
"""
import argparse
import json
import pathlib
import sys

import numpy as np


def fail(message):
    print(f"check_profile: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("json")
    parser.add_argument("trace")
    parser.add_argument("--same-outputs", nargs=2, metavar="DIR")
    parser.add_argument("--coverage", nargs=2, type=float, metavar=("MIN", "MAX"))
    args = parser.parse_args()

    profile = json.loads(pathlib.Path(args.json).read_text())
    trace = json.loads(pathlib.Path(args.trace).read_text())
    lines = pathlib.Path(args.table).read_text().splitlines()

    # One table row per op, between the header and the total row.
    header = next(i for i, line in enumerate(lines) if line.startswith("name "))
    total = next(i for i, line in enumerate(lines) if line.startswith("total "))
    rows = lines[header + 1:total]
    if len(rows) != len(profile["ops"]):
        fail(f"{len(rows)} table rows, {len(profile['ops'])} ops in the JSON")
    table_percent = sum(float(row.split("%")[0].split()[-1]) for row in rows)
    json_percent = sum(op["percent"] for op in profile["ops"])
    if abs(json_percent - 100) > 0.05 or abs(table_percent - 100) > 0.1 * len(rows):
        fail(f"percentages sum to {json_percent} (JSON) and {table_percent} (table)")
    totals = [op["totalMs"] for op in profile["ops"]]
    if totals != sorted(totals, reverse=True):
        fail("rows are not sorted by total time")

    runs = [e for e in trace["traceEvents"] if e["cat"] == "run"]
    calls = [e for e in trace["traceEvents"] if e["cat"] == "op"]
    if len(runs) != profile["iterations"] or len(calls) != len(runs) * len(profile["ops"]):
        fail(f"trace has {len(runs)} runs and {len(calls)} op calls")

    if args.same_outputs:
        a, b = (pathlib.Path(d) for d in args.same_outputs)
        names = sorted(p.name for p in a.glob("*.npy"))
        if not names or names != sorted(p.name for p in b.glob("*.npy")):
            fail(f"different outputs: {names} vs {sorted(p.name for p in b.glob('*.npy'))}")
        for name in names:
            x, y = np.load(a / name), np.load(b / name)
            # The brackets only stop fusion across ops; the arithmetic is the same.
            if x.shape != y.shape or not np.array_equal(x, y):
                fail(f"{name}: outputs differ with profiling (max abs diff "
                     f"{np.max(np.abs(x - y)) if x.shape == y.shape else 'shape'})")

    if args.coverage:
        low, high = args.coverage
        if not low <= profile["coverage"] <= high:
            fail(f"ops cover {profile['coverage']:.3f} of the run time, expected [{low}, {high}]")
        # Per run, exactly: the calls inside each run against the run itself.
        for run in runs:
            inside = sum(c["dur"] for c in calls
                         if c["ts"] >= run["ts"] and c["ts"] + c["dur"] <= run["ts"] + run["dur"] + 1e-3)
            share = inside / run["dur"]
            if not low <= share <= 1.0:
                fail(f"run {run['args']['iteration']}: op calls cover {share:.3f} of it")
    print(f"check_profile: {len(rows)} ops, percentages {json_percent:.2f}, "
          f"coverage {profile['coverage']:.3f}")


if __name__ == "__main__":
    main()
