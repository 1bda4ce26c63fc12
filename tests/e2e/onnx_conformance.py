#!/usr/bin/python3
"""The ONNX backend conformance suite (Debian's libonnx-testdata) through the real CLI.

Every test folder holds model.onnx and test_data_set_0/{input,output}_i.pb. Each test runs as
`openopt run model.onnx --input NAME=input_i.pb ... --output-dir DIR`, and every output is compared
with output_i.pb the way ONNX's backend runner does: rtol 1e-3, atol 1e-5 for floats (NaN equals
NaN), exact for integers and booleans, and the same shape and dtype.

Each outcome is checked against the expectation file: a test not listed there must pass; a listed
test must end the way the list says (`refused`: a clean error, `mismatch`: runs but its numbers
differ, `random`: its outputs are random draws, so only their shapes and dtypes are compared), so
the list stays true in both directions. Crashes and hangs always fail.

    onnx_conformance.py --openopt build/bin/openopt [--jobs 2] [--filter REGEX] [--update]
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tensor_files import tensor_path  # noqa: E402

SUITES = ["node", "simple", "pytorch-converted", "pytorch-operator"]
DEFAULT_DATA = "/usr/share/libonnx-testdata/data"
DEFAULT_EXPECTATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "onnx_conformance_expectations.txt")
RTOL, ATOL = 1e-3, 1e-5
KINDS = ("refused", "mismatch", "random")


def read_expectations(path):
    """{'suite/test': (kind, reason)} from lines `suite/test  kind  reason`; # starts a comment."""
    expected = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[1] not in KINDS:
                raise SystemExit(f"{path}:{number}: expected 'suite/test refused|mismatch reason'")
            if parts[0] in expected:
                raise SystemExit(f"{path}:{number}: {parts[0]} is listed twice")
            expected[parts[0]] = (parts[1], parts[2])
    return expected


def graph_inputs(model):
    initializers = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def compare(name, ours, ref, values=True):
    if ours.shape != ref.shape:
        return f"output '{name}': shape {list(ours.shape)}, expected {list(ref.shape)}"
    if ours.dtype != ref.dtype:
        return f"output '{name}': dtype {ours.dtype}, expected {ref.dtype}"
    if not values:
        return None
    if np.issubdtype(ref.dtype, np.floating):
        a, b = ours.astype(np.float64), ref.astype(np.float64)
        bad = ~np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
        if bad.any():
            i = np.unravel_index(np.argmax(bad), bad.shape) if bad.ndim else ()
            return (f"output '{name}': {int(bad.sum())} of {bad.size} elements differ, "
                    f"e.g. at {list(map(int, i))}: {a[i]} vs {b[i]}")
    elif not np.array_equal(ours, ref):
        bad = ours != ref
        i = np.unravel_index(np.argmax(bad), bad.shape) if bad.ndim else ()
        return (f"output '{name}': {int(bad.sum())} of {bad.size} elements differ, "
                f"e.g. at {list(map(int, i))}: {ours[i]} vs {ref[i]}")
    return None


def read_reference(value_type, path):
    """An expected output: an array, a list of arrays (a sequence) or None (an empty optional)."""
    with open(path, "rb") as f:
        data = f.read()
    if value_type.HasField("sequence_type"):
        seq = onnx.SequenceProto()
        seq.ParseFromString(data)
        return [numpy_helper.to_array(t) for t in seq.tensor_values]
    if value_type.HasField("optional_type"):
        opt = onnx.OptionalProto()
        opt.ParseFromString(data)
        if opt.HasField("tensor_value"):
            return numpy_helper.to_array(opt.tensor_value)
        if opt.HasField("sequence_value"):
            return [numpy_helper.to_array(t) for t in opt.sequence_value.tensor_values]
        return None
    return numpy_helper.to_array(onnx.load_tensor(path))


def load_ours(path):
    ours = np.load(path)
    # numpy has no bfloat16: ours is stored as raw 2-byte values, ONNX's
    # reference as uint16 bit patterns.
    if ours.dtype.kind == "V" and ours.dtype.itemsize == 2:
        ours = ours.view(np.uint16)
    return ours


def compare_value(output, ref, out_dir, values=True):
    """What differs between output `output` as the CLI wrote it under out_dir and ref."""
    name = output.name
    tensor_file = tensor_path(out_dir, name)
    sequence_dir = tensor_file[:-len(".npy")]
    if ref is None:
        if os.path.exists(tensor_file) or os.path.isdir(sequence_dir):
            return f"output '{name}': expected an empty optional, got a value"
        return None
    if isinstance(ref, list):
        if not os.path.isdir(sequence_dir):
            return f"output '{name}': expected a sequence, none was written"
        count = len([f for f in os.listdir(sequence_dir) if f.endswith(".npy")])
        if count != len(ref):
            return f"output '{name}': a sequence of {count} tensors, expected {len(ref)}"
        for i, r in enumerate(ref):
            problem = compare(f"{name}[{i}]", load_ours(os.path.join(sequence_dir, f"{i}.npy")), r,
                              values)
            if problem:
                return problem
        return None
    if not os.path.exists(tensor_file):
        return f"output '{name}' was not written"
    return compare(name, load_ours(tensor_file), ref, values)


def first_error_line(text):
    """The first line of the CLI's error, without its 'openopt: error:' prefix or file paths."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"^(openopt: )?(error: )?", "", line)
        return re.sub(r"/\S*/model\.onnx", "model.onnx", line)[:300]
    return "no message"


def run_test(openopt, folder, timeout, random=False):
    """(outcome, detail): outcome is pass, mismatch, refused, crash or hang; with `random`
    (outputs that are random draws) only shapes and dtypes are compared, and a run whose
    outputs have the right ones is `random`."""
    model = onnx.load(os.path.join(folder, "model.onnx"), load_external_data=False)
    data = os.path.join(folder, "test_data_set_0")
    names = graph_inputs(model)
    inputs = sorted(f for f in os.listdir(data) if re.fullmatch(r"input_\d+\.pb", f))
    inputs.sort(key=lambda f: int(f[6:-3]))
    command = [openopt, "run", os.path.join(folder, "model.onnx")]
    for i, file in enumerate(inputs):
        if i >= len(names):
            return "refused", f"the test gives {len(inputs)} inputs, the model has {len(names)}"
        command += ["--input", f"{names[i]}={os.path.join(data, file)}"]
    out = tempfile.mkdtemp(prefix="onnx-conformance-")
    try:
        command += ["--output-dir", out]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                    start_new_session=True)
        except subprocess.TimeoutExpired:
            return "hang", f"no result after {timeout} s"
        if result.returncode < 0:
            return "crash", f"killed by {signal.Signals(-result.returncode).name}: " + \
                first_error_line(result.stderr)
        if result.returncode == 1:
            return "refused", first_error_line(result.stderr)
        if result.returncode != 0:
            return "crash", f"exit code {result.returncode}: " + first_error_line(result.stderr)
        for i, output in enumerate(model.graph.output):
            ref_file = os.path.join(data, f"output_{i}.pb")
            if not os.path.exists(ref_file):
                continue
            problem = compare_value(output, read_reference(output.type, ref_file), out,
                                    values=not random)
            if problem:
                return "mismatch", problem
        return ("random", "values not compared") if random else ("pass", "")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--openopt", required=True)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--expectations", default=DEFAULT_EXPECTATIONS)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--filter", default="", help="only tests whose suite/name matches")
    parser.add_argument("--update", action="store_true",
                        help="rewrite the expectation file from this run (crashes and hangs "
                             "are never written: they must be fixed)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if not os.path.isdir(args.data):
        sys.exit(f"{args.data}: not found; install Debian's libonnx-testdata (scripts/setup.sh)")
    expected = read_expectations(args.expectations) if os.path.exists(args.expectations) else {}

    tests = []
    for suite in SUITES:
        for name in sorted(os.listdir(os.path.join(args.data, suite))):
            key = f"{suite}/{name}"
            if re.search(args.filter, key):
                tests.append((key, os.path.join(args.data, suite, name)))
    for key in expected:
        if not os.path.isdir(os.path.join(args.data, key)):
            print(f"STALE  {key}: listed in the expectations but not in the suite")

    start = time.monotonic()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_test, args.openopt, folder, args.timeout,
                               expected.get(key, ("pass",))[0] == "random"): key
                   for key, folder in tests}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()

    failures = []
    totals = {s: {"tests": 0, "pass": 0, "refused": 0, "mismatch": 0, "random": 0, "crash": 0,
                  "hang": 0} for s in SUITES}
    for key, _ in tests:
        outcome, detail = results[key]
        suite = key.split("/")[0]
        totals[suite]["tests"] += 1
        totals[suite][outcome] += 1
        want = expected.get(key, ("pass", ""))[0]
        if outcome == want:
            if args.verbose:
                print(f"ok     {key}: {outcome} {detail}")
            continue
        if outcome == "pass":
            failures.append(f"PASSES {key}: listed as {want} but passes now; remove it from "
                            f"{os.path.basename(args.expectations)}")
        else:
            failures.append(f"FAIL   {key}: expected {want}, got {outcome}: {detail}")

    for line in sorted(failures):
        print(line)
    print(f"\n{'suite':<20}{'tests':>7}{'pass':>7}{'%':>7}{'refused':>9}{'mismatch':>10}"
          f"{'random':>8}{'crash':>7}{'hang':>6}")
    for suite in SUITES:
        t = totals[suite]
        if t["tests"]:
            print(f"{suite:<20}{t['tests']:>7}{t['pass']:>7}{100 * t['pass'] / t['tests']:>6.1f}%"
                  f"{t['refused']:>9}{t['mismatch']:>10}{t['random']:>8}{t['crash']:>7}"
                  f"{t['hang']:>6}")
    print(f"{len(tests)} tests in {time.monotonic() - start:.0f} s, {len(failures)} unexpected")

    if args.update:
        write_expectations(args.expectations, tests, results, expected)
        print(f"wrote {args.expectations}")
    sys.exit(1 if failures else 0)


def write_expectations(path, tests, results, old):
    lines = []
    for key, _ in tests:
        outcome, detail = results[key]
        if outcome in KINDS:
            # A reason written by hand stays while the outcome does.
            if key in old and old[key][0] == outcome:
                detail = old[key][1]
            lines.append(f"{key}  {outcome}  {detail}")
    # Entries outside this run's filter stay as they were.
    ran = {key for key, _ in tests}
    lines += [f"{key}  {kind}  {reason}" for key, (kind, reason) in old.items() if key not in ran]
    header = ("# Tests of the ONNX backend suite that do not pass, with why. Every other test must\n"
              "# pass; a listed test that starts passing fails the suite until it is removed.\n"
              "# suite/test  refused|mismatch|random  reason\n"
              "# (random: outputs are random draws; the test must run and produce outputs of the\n"
              "#  right shape and dtype, whose values are not compared)\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(header + "\n".join(sorted(lines)) + "\n")


if __name__ == "__main__":
    main()
