#!/usr/bin/python3
"""Correctness of `openopt run` on whole models, against ONNX Runtime and against stored reference outputs.

  check_model.py MODEL.onnx|DIR... [--openopt PATH] [--seed 1] [--tol 1e-4] [--threads 1] [--recipe FILE]
                 [--shape NAME=AxB]... [--range NAME=LO:HI]... [--work DIR] [--no-test-data] [--timeout S]

For each model (a DIR stands for every DIR/*.onnx): fixed-seed inputs (gen_inputs.py) are run through
`openopt run` and through ONNX Runtime (ort_run.js) and every output is compared; then, if the model has
reference data (<model dir>/<model name>/test_data_set_0/ or <model dir>/test_data_set_0/), `openopt run`
on those inputs is compared with the stored outputs. One line per comparison:
  resnet18w48 vs ort: max_rel_err=3.1e-07 max_abs_err=2.4e-06 [ok]
(`model:output vs ...` for models with more than one output), where
max_rel_err = max|ours - ref| / max(max|ref|, 1e-6); integer/bool outputs must match exactly.
With several models a summary table follows. Last line: `N passed, N failed`. Exit status 1 if any
comparison fails (or a run errors), 2 on bad usage.
openopt: --openopt, else $OPENOPT_BIN, else <repo>/build/bin/openopt.
"""
import argparse
import glob
import os
import sys
import tempfile

import gen_inputs
import model_runners
import tensor_compare


def find_models(paths):
    models = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(glob.glob(os.path.join(p, "*.onnx")))
            if not found:
                raise FileNotFoundError(f"{p}: no .onnx files")
            models += found
        elif os.path.isfile(p):
            models.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or directory")
    return models


def find_test_data(model_path):
    stem = os.path.splitext(os.path.basename(model_path))[0]
    here = os.path.dirname(os.path.abspath(model_path))
    for d in (os.path.join(here, stem, "test_data_set_0"), os.path.join(here, "test_data_set_0")):
        if glob.glob(os.path.join(d, "input_*.pb")):
            return d
    return None


def compare_outputs(label, output_names, ours_dir, refs):
    """refs: {name: array}. Yields (line label, Comparison) for every output that has a reference."""
    multi = len(output_names) > 1
    for name in output_names:
        if name not in refs:
            continue
        head = f"{label[0]}:{name} {label[1]}" if multi else f"{label[0]} {label[1]}"
        try:
            ours = model_runners.read_output(ours_dir, name)
        except ValueError as e:
            yield head, tensor_compare.failure(f"unreadable output file: {e}")
            continue
        if ours is None:
            yield head, tensor_compare.failure(f"openopt wrote no file for output '{name}'")
        elif refs[name] is None:
            yield head, tensor_compare.failure(f"the reference run wrote no file for output '{name}'")
        else:
            yield head, tensor_compare.compare(ours, refs[name])


def check_one(model_path, args, openopt, work):
    """Returns [(label, Comparison)] for one model."""
    stem = os.path.splitext(os.path.basename(model_path))[0]
    work = os.path.join(work, stem)
    model = gen_inputs.load_model(model_path)
    outputs = gen_inputs.graph_output_names(model)
    results = []

    label = (stem, "vs ort")
    try:
        arrays = gen_inputs.random_inputs(model, args.seed, gen_inputs.parse_shape_flags(args.shape),
                                          gen_inputs.parse_range_flags(args.range))
    except gen_inputs.InputSpecError as e:
        return [(f"{stem} vs ort", tensor_compare.failure(f"error: {e}"))]
    inputs = gen_inputs.write_tensors(os.path.join(work, "inputs"), arrays)
    ours_dir, ort_dir = os.path.join(work, "ours"), os.path.join(work, "ort")
    ours = model_runners.run_openopt(openopt, model_path, inputs, ours_dir, args.threads, args.timeout, args.recipe)
    ref = model_runners.run_ort(model_path, inputs, ort_dir, args.threads, args.timeout)
    if error := model_runners.run_error(ours, ref):
        results.append((f"{stem} vs ort", tensor_compare.failure(error)))
    else:
        refs = {n: model_runners.read_output(ort_dir, n) for n in outputs}
        results += compare_outputs(label, outputs, ours_dir, refs)

    data_dir = None if args.no_test_data else find_test_data(model_path)
    if data_dir:
        label = (stem, "vs " + os.path.basename(data_dir))
        try:
            td_inputs, td_outputs = gen_inputs.test_data_tensors(model, data_dir)
        except gen_inputs.InputSpecError as e:
            return results + [(" ".join(label), tensor_compare.failure(f"error: {e}"))]
        inputs = gen_inputs.write_tensors(os.path.join(work, "test_data_inputs"), td_inputs)
        ours_dir = os.path.join(work, "test_data_ours")
        ours = model_runners.run_openopt(openopt, model_path, inputs, ours_dir, args.threads, args.timeout,
                                         args.recipe)
        if ours.error:
            results.append((" ".join(label), tensor_compare.failure(f"openopt: {ours.error}")))
        else:
            results += compare_outputs(label, outputs, ours_dir, td_outputs)
    return results


def print_summary(rows, tol):
    print()
    print("| comparison | max_rel_err | max_abs_err | result |")
    print("|---|---|---|---|")
    for label, c in rows:
        result = "ok" if c.ok(tol) else "FAIL"
        if c.problem:
            print(f"| {label} | - | - | {result}: {c.problem} |")
        else:
            print(f"| {label} | {c.max_rel_err:.2e} | {c.max_abs_err:.2e} | {result} |")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+", metavar="MODEL.onnx|DIR")
    p.add_argument("--openopt", help="path of the openopt binary")
    p.add_argument("--seed", type=int, default=1, help="seed of the random inputs (default 1)")
    p.add_argument("--tol", type=float, default=1e-4, help="max_rel_err allowed (default 1e-4)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--recipe", help="compile with this recipe (default: the built-in one)")
    p.add_argument("--shape", action="append", metavar="NAME=AxBx..", help="shape of a symbolic input")
    p.add_argument("--range", action="append", metavar="NAME=LO:HI", help="value interval of an input")
    p.add_argument("--work", help="keep inputs and outputs here (default: a temporary directory)")
    p.add_argument("--no-test-data", action="store_true", help="skip the comparison with test_data_set_0")
    p.add_argument("--timeout", type=int, default=600, help="seconds per openopt/ORT run (default 600)")
    args = p.parse_args(argv)
    try:
        models = find_models(args.models)
        openopt = model_runners.find_openopt(args.openopt)
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    rows = []
    with tempfile.TemporaryDirectory(prefix="check_model.") as tmp:
        for model in models:
            for label, c in check_one(model, args, openopt, args.work or tmp):
                print(f"{label}: {c.describe(args.tol)}", flush=True)
                rows.append((label, c))
    if len(models) > 1:
        print_summary(rows, args.tol)
    failed = sum(not c.ok(args.tol) for _, c in rows)
    print(f"{len(rows) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
