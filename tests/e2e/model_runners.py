"""Run a model through `openopt run` and through ONNX Runtime (ort_run.js) with the same inputs and flags, and
read back (and compare) the outputs they write (DIR/<sanitized output name>.npy)."""
import argparse
import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Optional

import numpy as np

import tensor_compare
from tensor_files import tensor_path

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(E2E_DIR))
ORT_RUN_JS = os.path.join(E2E_DIR, "ort_run.js")


def find_openopt(flag_value=None):
    """--openopt, else $OPENOPT_BIN, else <repo>/build/bin/openopt; an error string if it is not there."""
    path = flag_value or os.environ.get("OPENOPT_BIN") or os.path.join(REPO_ROOT, "build", "bin", "openopt")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise FileNotFoundError(f"openopt not found at {path}: build it, or pass --openopt PATH / set OPENOPT_BIN")
    return os.path.abspath(path)


@contextlib.contextmanager
def check_script(argv, description, work_prefix):
    """The command line the e2e check scripts share: --openopt (as find_openopt) and --work (a folder for
    the models and outputs, kept). Yields (openopt, work); a temporary work folder is removed afterwards."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--openopt")
    p.add_argument("--work")
    args = p.parse_args(argv)
    openopt = find_openopt(args.openopt)
    work = args.work or tempfile.mkdtemp(prefix=work_prefix)
    try:
        yield openopt, work
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


@dataclass
class RunResult:
    error: Optional[str] = None  # one line; None when the run succeeded
    stdout: str = ""


def _first_error_line(proc):
    lines = [l.strip() for l in proc.stderr.splitlines() if l.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line
    return lines[-1] if lines else f"exit status {proc.returncode}"


def _run(cmd, timeout):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return RunResult(f"error: timed out after {timeout} s: {os.path.basename(cmd[0])}")
    except OSError as e:
        return RunResult(f"error: cannot run {cmd[0]}: {e}")
    if proc.returncode != 0:
        return RunResult(_first_error_line(proc), proc.stdout)
    return RunResult(None, proc.stdout)


def _input_flags(inputs):
    flags = []
    for name, path in inputs.items():
        flags += ["--input", f"{name}={path}"]
    return flags


def run_openopt(openopt, model, inputs, output_dir, threads=1, timeout=600, recipe=None):
    """inputs: {name: .npy path}. Clears output_dir first so stale files cannot pass for outputs."""
    shutil.rmtree(output_dir, ignore_errors=True)
    cmd = [openopt, "run", model, *_input_flags(inputs), "--output-dir", output_dir, "--threads", str(threads)]
    if recipe:
        cmd += ["--recipe", recipe]
    return _run(cmd, timeout)


def run_ort(model, inputs, output_dir, threads=1, timeout=600):
    shutil.rmtree(output_dir, ignore_errors=True)
    node = os.environ.get("NODE", "node")
    cmd = [node, ORT_RUN_JS, model, *_input_flags(inputs), "--output-dir", output_dir, "--threads", str(threads)]
    return _run(cmd, timeout)


def read_output(output_dir, name):
    """The array written for output `name`, or None if the file is missing."""
    path = tensor_path(output_dir, name)
    return np.load(path) if os.path.exists(path) else None


def compare_output(ours_dir, ort_dir, name):
    """openopt's output `name` against ORT's (a tensor_compare.Comparison); a missing file fails,
    naming the side that wrote none."""
    mine, theirs = read_output(ours_dir, name), read_output(ort_dir, name)
    if mine is None or theirs is None:
        return tensor_compare.failure(
            f"no file for output '{name}' from {'openopt' if mine is None else 'onnxruntime'}")
    return tensor_compare.compare(mine, theirs)


def run_error(ours, ref):
    """The error of an openopt run or of its ONNX Runtime reference, named by which; None if both ran."""
    if ours.error:
        return "openopt: " + ours.error
    return "onnxruntime: " + ref.error if ref.error else None


class Tally:
    """Counts a script's checks, printing a line for each, and ends with `N passed, N failed`."""

    def __init__(self):
        self.passed = self.failed = 0

    def check(self, label, comparison, tol):
        ok = comparison.ok(tol)
        self.passed += ok
        self.failed += not ok
        print(f"{label}: {comparison.describe(tol)}")

    def fail(self, line):
        self.failed += 1
        print(f"{line} [FAIL]")

    def check_threads(self, openopt, name, model, inputs, ref, ort_dir, outputs, tol, work,
                      threads=(1, 2)):
        """Runs `model` at each thread count into WORK/NAME_tT and checks each of `outputs`
        against ORT's (run as `ref`, written to `ort_dir`); a run that failed counts once."""
        for count in threads:
            out_dir = os.path.join(work, f"{name}_t{count}")
            ours = run_openopt(openopt, model, inputs, out_dir, threads=count)
            if error := run_error(ours, ref):
                self.fail(f"{name} at {count} thread(s): {error}")
                continue
            for out in outputs:
                label = name if len(outputs) == 1 else f"{name}:{out}"
                self.check(f"{label} at {count} thread(s) vs ort",
                           compare_output(out_dir, ort_dir, out), tol)

    def finish(self):
        """Prints the totals; the script's exit status (1 on any failure)."""
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0

