#!/usr/bin/python3
"""Per-op correctness of `openopt run` against ONNX Runtime on the one-node models of gen_op_models.py.

  check_op_models.py [OPDIR] [--openopt PATH] [--only REGEX] [--exclude REGEX] [--seed 1] [--tol 1e-4]
                     [--threads 1] [--timeout 120] [--work DIR] [--ort-only]

OPDIR holds the models and index.json; it is generated (gen_op_models.py) when it has no index.json or one
written by another version of the generator (or for only some of its cases), and a
temporary directory is used when OPDIR is not given. For each case: inputs from the seed and the value
ranges in index.json, `openopt run`, ORT (ort_run.js), and a comparison of every output: float outputs
within the case's "tol" or --tol of relative error (max|ours - ort| / max(max|ort|, 1e-6)), integer and
bool outputs exactly. One line per case (the worst output), then `N passed, N failed` (`, N skipped` for
--exclude). Exit status 1 if any case failed.
--ort-only checks the models instead: ORT runs each one and its outputs match the dtypes/shapes in index.json
(no openopt needed).
"""
import argparse
import json
import os
import re
import sys
import tempfile

import gen_inputs
import gen_op_models
import model_runners
import tensor_compare


def stale(index):
    """Whether index.json is missing, or was written by another version of gen_op_models.py or for
    only some of its cases (a build directory kept from before cases were added would otherwise
    leave them untested)."""
    if not os.path.exists(index):
        return True
    with open(index) as f:
        written = json.load(f)
    return written.get("source") != gen_op_models.source_digest() or written.get("only") is not None


def load_index(opdir):
    index = os.path.join(opdir, "index.json")
    if stale(index):
        if gen_op_models.main([opdir]) != 0:
            raise RuntimeError("gen_op_models.py failed")
    with open(index) as f:
        return json.load(f)["cases"]


def case_inputs(entry, model_path, seed, work):
    ranges = {i["name"]: i["range"] for i in entry["inputs"] if "range" in i}
    arrays = gen_inputs.random_inputs(model_path, seed, ranges=ranges)
    return gen_inputs.write_tensors(os.path.join(work, "inputs"), arrays)


def check_ort_only(entry, model_path, inputs, work, args):
    """The model runs in ORT and its outputs are what index.json says."""
    ort_dir = os.path.join(work, "ort")
    run = model_runners.run_ort(model_path, inputs, ort_dir, args.threads, args.timeout)
    if run.error:
        return False, f"onnxruntime: {run.error} [FAIL]"
    for out in entry["outputs"]:
        got = model_runners.read_output(ort_dir, out["name"])
        if got is None:
            return False, f"onnxruntime wrote no output {out['name']} [FAIL]"
        if got.dtype.name != out["dtype"] or list(got.shape) != out["shape"]:
            return False, (f"output {out['name']} is {got.dtype.name}{list(got.shape)}, "
                           f"index.json says {out['dtype']}{out['shape']} [FAIL]")
    return True, "onnxruntime runs it; outputs as in index.json [ok]"


def check_case(entry, model_path, inputs, work, args, openopt):
    """(ok, text) for the worst output of one case."""
    ours_dir, ort_dir = os.path.join(work, "ours"), os.path.join(work, "ort")
    ours = model_runners.run_openopt(openopt, model_path, inputs, ours_dir, args.threads, args.timeout)
    if ours.error:
        return False, f"openopt: {ours.error} [FAIL]"
    ref = model_runners.run_ort(model_path, inputs, ort_dir, args.threads, args.timeout)
    if ref.error:
        return False, f"onnxruntime: {ref.error} [FAIL]"
    tol = entry.get("tol", args.tol)
    worst = None
    for out in entry["outputs"]:
        name = out["name"]
        try:
            mine, theirs = model_runners.read_output(ours_dir, name), model_runners.read_output(ort_dir, name)
        except ValueError as e:
            c = tensor_compare.failure(f"unreadable output file for {name}: {e}")
        else:
            if mine is None:
                c = tensor_compare.failure(f"openopt wrote no file for output '{name}'")
            elif theirs is None:
                c = tensor_compare.failure(f"onnxruntime wrote no file for output '{name}'")
            else:
                c = tensor_compare.compare(mine, theirs)
        # Worst = a failure first, else the largest relative error.
        key = (not c.ok(tol), c.max_rel_err if c.max_rel_err == c.max_rel_err else float("inf"))
        if worst is None or key > worst[0]:
            worst = (key, name, c)
    _, name, c = worst
    where = f"[{name}] " if len(entry["outputs"]) > 1 else ""
    return c.ok(tol), where + c.describe(tol)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("opdir", nargs="?", help="models + index.json (default: generate into a temporary directory)")
    p.add_argument("--openopt", help="path of the openopt binary")
    p.add_argument("--only", metavar="REGEX", help="run only the cases whose name matches (re.search)")
    p.add_argument("--exclude", metavar="REGEX", help="skip the cases whose name matches (counted as skipped)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tol", type=float, default=1e-4, help="default max_rel_err for float outputs (default 1e-4)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--timeout", type=int, default=120, help="seconds per openopt/ORT run (default 120)")
    p.add_argument("--work", help="keep inputs and outputs here (default: a temporary directory)")
    p.add_argument("--ort-only", action="store_true", help="check the models with ORT alone (no openopt)")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="check_op_models.") as tmp:
        opdir = args.opdir or os.path.join(tmp, "op_models")
        try:
            cases = load_index(opdir)
            openopt = None if args.ort_only else model_runners.find_openopt(args.openopt)
            only = re.compile(args.only) if args.only else None
            exclude = re.compile(args.exclude) if args.exclude else None
        except (OSError, RuntimeError, re.error, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        passed = failed = skipped = 0
        for entry in cases:
            name = entry["name"]
            if only and not only.search(name):
                continue
            if exclude and exclude.search(name):
                skipped += 1
                print(f"{name}: skipped")
                continue
            work = os.path.join(args.work or tmp, name)
            model_path = os.path.join(opdir, entry["file"])
            try:
                inputs = case_inputs(entry, model_path, args.seed, work)
            except (gen_inputs.InputSpecError, OSError) as e:
                ok, text = False, f"error: {e} [FAIL]"
            else:
                if args.ort_only:
                    ok, text = check_ort_only(entry, model_path, inputs, work, args)
                else:
                    ok, text = check_case(entry, model_path, inputs, work, args, openopt)
            passed, failed = passed + ok, failed + (not ok)
            print(f"{name}: {text}", flush=True)
    if passed + failed + skipped == 0:
        print("error: no case matched", file=sys.stderr)
        return 2
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
