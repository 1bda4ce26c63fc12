#!/usr/bin/python3
"""Models compiled as shared libraries (`openopt compile --emit shared-lib`), run from a C program, against
ONNX Runtime.

  check_shared_lib.py MODEL.onnx|DIR... [--openopt PATH] [--threads 1,2] [--tol 1e-4] [--seed 1]
                      [--cc cc] [--work DIR] [--iterations N] [--target aarch64-linux-gnu] [--isa avx2]

For each model and thread count: compile libNAME.so and NAME.h; check with readelf that the library
needs nothing but libc, libm, the dynamic loader and (above one thread) the OpenMP runtime; build
tests/aot/run_model.c against NAME.h with `cc`; run it on fixed-seed inputs (gen_inputs.py), once
through the linked library and once opening it by path, and compare every output with ONNX Runtime's.
With --target aarch64-linux-gnu the library is cross-compiled, the program is built with
`clang-22 --target=aarch64-linux-gnu`, and both run under qemu-aarch64 (Debian's qemu-user, with the
libc of libc6-dev-arm64-cross); the outputs are still compared with ONNX Runtime on this machine. Exit
status 77 (skipped) when qemu-aarch64 or that libc is missing.
One line per check, then a table of library sizes, open times and run times; last line
`N passed, N failed`. Exit status 1 on any failure.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import gen_inputs
import model_runners
import tensor_compare

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(E2E_DIR)), "runtime", "examples")
RUN_MODEL_C = os.path.join(EXAMPLES, "run_model.c")
DESCRIBE_AND_RUN_C = os.path.join(EXAMPLES, "describe_and_run.c")
ALLOWED_NEEDED = re.compile(r"^(libc\.so\.6|libm\.so\.6|ld-linux-[\w-]+\.so\.\d|libomp\.so\.5)$")
AARCH64_SYSROOT = "/usr/aarch64-linux-gnu"


def find_models(paths):
    models = []
    for p in paths:
        models += sorted(glob.glob(os.path.join(p, "*.onnx"))) if os.path.isdir(p) else [p]
    return models


def run(cmd, timeout=900):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        lines = [l for l in (proc.stderr + proc.stdout).splitlines() if l.strip()]
        raise RuntimeError(f"{os.path.basename(cmd[0])} failed: " + (" | ".join(lines[-6:]) or f"exit {proc.returncode}"))
    return proc.stdout


def recipe_with_isa(openopt, isa, work):
    """The built-in recipe with its ISA set to `isa`."""
    text = run([openopt, "recipe", "default"])
    recipe = json.loads("\n".join(l for l in text.splitlines() if not l.lstrip().startswith("//")))
    recipe["target"]["isa"] = isa
    path = os.path.join(work, f"{isa}.recipe.json")
    with open(path, "w") as f:
        json.dump(recipe, f)
    return path


def needed_libraries(library):
    out = run(["readelf", "-d", library])
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def build_generic_example(args, openopt, work):
    """runtime/examples/describe_and_run.c, linked with libopenopt_runtime.so only (beside the compiler's
    bin/, in lib/); its path."""
    lib = os.path.join(os.path.dirname(os.path.dirname(openopt)), "lib")
    program = os.path.join(work, "describe_and_run")
    run([args.cc, "-O2", "-Wall", "-Werror", DESCRIBE_AND_RUN_C, "-I",
         os.path.join(os.path.dirname(EXAMPLES), "include"), "-L", lib, "-lopenopt_runtime", f"-Wl,-rpath,{lib}",
         "-o", program])
    return program


def check_model(model_path, threads, args, openopt, work, tally, table):
    stem = os.path.splitext(os.path.basename(model_path))[0]
    label = f"{stem} at {threads} thread(s)"
    out = os.path.join(work, f"{stem}_t{threads}")
    try:
        flags = ["--target", args.target] if args.target else []
        if args.isa:
            flags += ["--recipe", recipe_with_isa(openopt, args.isa, work)]
        written = re.findall(r"^wrote (\S+\.so) ", run([openopt, "compile", model_path, "--emit", "shared-lib",
                                                          "-o", out, "--threads", str(threads), *flags]), re.M)
        if not written:
            raise RuntimeError("openopt compile wrote no library")
        # The compiler names the library: lib<NAME>.so beside <NAME>.h.
        library = written[0]
        name = os.path.basename(library)[len("lib"):-len(".so")]
        needed = needed_libraries(library)
        bad = [n for n in needed if not ALLOWED_NEEDED.match(n) or re.search(r"LLVM|MLIR", n)]
        if bad:
            tally.fail(f"{label}: the library needs {', '.join(bad)}")
            return
        # Compiled for the threads asked: the OpenMP runtime above one thread, none at one.
        if ("libomp.so.5" in needed) != (threads > 1):
            tally.fail(f"{label}: the library {'lacks' if threads > 1 else 'needs'} libomp.so.5 ({', '.join(needed)})")
            return
        tally.passed += 1
        print(f"{label}: needs only {', '.join(needed)} [ok]")
        driver = os.path.join(out, "run_model")
        cross = ["--target=aarch64-linux-gnu", "-fuse-ld=lld"] if args.target else []
        run([args.cc, *cross, "-O2", "-Wall", "-Werror", f'-DMODEL_HEADER="{name}.h"', f"-DMODEL_OPEN={name}_open",
             RUN_MODEL_C, "-I", out, "-L", out, f"-l{name}", f"-Wl,-rpath,{out}", "-o", driver])
        if args.target:
            kind = run(["file", "-b", library])
            if "aarch64" not in kind:
                tally.fail(f"{label}: the library is not for aarch64: {kind.strip()}")
                return
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        tally.fail(f"{label}: {e}")
        return

    model = gen_inputs.load_model(model_path)
    outputs = gen_inputs.graph_output_names(model)
    arrays = gen_inputs.random_inputs(model, args.seed)
    in_dir = os.path.join(out, "inputs")
    inputs = gen_inputs.write_tensors(in_dir, arrays)
    ort_dir = os.path.join(out, "ort")
    ref = model_runners.run_ort(model_path, inputs, ort_dir, threads)
    if ref.error:
        tally.fail(f"{label}: onnxruntime: {ref.error}")
        return
    for how, flags in (("linked", []), ("opened by path", ["--open-by-path", library])):
        ours_dir = os.path.join(out, "ours_" + how.split()[0])
        os.makedirs(ours_dir, exist_ok=True)
        try:
            emulator = ["qemu-aarch64", "-L", AARCH64_SYSROOT] if args.target else []
            # Under emulation a run takes seconds: no warm-up runs there.
            warmup = "0" if args.target else "2"
            line = run([*emulator, driver, *flags, "--iterations", str(args.iterations), "--warmup", warmup,
                        in_dir, ours_dir]).strip().splitlines()[-1]
            timing = json.loads(line)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
            tally.fail(f"{label}, {how}: {e}")
            continue
        for o in outputs:
            head = f"{label}, {how}" + (f":{o}" if len(outputs) > 1 else "")
            tally.check(f"{head} vs ort", model_runners.compare_output(ours_dir, ort_dir, o), args.tol)
        if how == "linked":
            table.append([stem, threads, os.path.getsize(library), timing["openMs"], timing["medianMs"], None])
    # A program that knows no model: it opens the library by path through libopenopt_runtime.so, in a
    # process of its own (the time includes loading the library and its first run).
    if args.generic and not args.target:
        start = time.perf_counter()
        try:
            out_text = run([args.generic, library])
            if f"model {stem}," not in out_text or "output 0:" not in out_text:
                raise RuntimeError(f"unexpected output: {out_text.strip()[:200]}")
            table[-1][5] = (time.perf_counter() - start) * 1e3
            tally.passed += 1
            print(f"{label}: describe_and_run opens and runs it [ok]")
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            tally.fail(f"{label}: describe_and_run: {e}")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+", metavar="MODEL.onnx|DIR")
    p.add_argument("--openopt")
    p.add_argument("--threads", default="1,2", help="thread counts to compile for (default 1,2)")
    p.add_argument("--tol", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cc", default=os.environ.get("CC", "cc"))
    p.add_argument("--iterations", type=int, default=3, help="timed runs per model (default 3)")
    p.add_argument("--work", help="keep the libraries and outputs here")
    p.add_argument("--target", choices=["aarch64-linux-gnu"], help="cross-compile, and run under qemu-aarch64")
    p.add_argument("--isa", choices=["avx2", "avx512"], help="the recipe's ISA (default: the host's)")
    args = p.parse_args(argv)
    if args.target:
        missing = [what for what, ok in (("qemu-aarch64 (qemu-user)", shutil.which("qemu-aarch64")),
                                         (f"{AARCH64_SYSROOT}/lib/libc.so.6 (libc6-dev-arm64-cross)",
                                          os.path.exists(f"{AARCH64_SYSROOT}/lib/libc.so.6"))) if not ok]
        if missing:
            print(f"skipped: no {', '.join(missing)}")
            return 77
        if args.cc == "cc":
            args.cc = "clang-22"
        args.threads = "1"  # no OpenMP runtime for aarch64 here
    openopt = model_runners.find_openopt(args.openopt)
    work = args.work or tempfile.mkdtemp(prefix="openopt-shared-lib-")
    os.makedirs(work, exist_ok=True)
    tally, table = model_runners.Tally(), []
    args.generic = None
    try:
        if not args.target:
            try:
                args.generic = build_generic_example(args, openopt, work)
            except RuntimeError as e:
                tally.fail(f"describe_and_run.c: {e}")
        for model_path in find_models(args.models):
            for threads in [int(t) for t in args.threads.split(",")]:
                check_model(model_path, threads, args, openopt, work, tally, table)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("| model | threads | library bytes | open ms | run ms (median) | new process: load + run ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for stem, threads, size, open_ms, run_ms, fresh_ms in table:
        fresh = f"{fresh_ms:.1f}" if fresh_ms is not None else "-"
        print(f"| {stem} | {threads} | {size} | {open_ms:.2f} | {run_ms:.3f} | {fresh} |")
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
