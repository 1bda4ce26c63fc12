#!/usr/bin/python3
"""Models compiled for the cuda target, checked on a machine with or without a GPU; and the packs a GPU
machine runs (scripts/gpu-check.sh).

  check_cuda.py MODEL.onnx|DIR... [--openopt PATH] [--arch sm_80,sm_90] [--work DIR] [--pack DIR]

For each model and architecture: `openopt compile --emit shared-lib,ptx` with a cuda recipe; the library
needs nothing but libc, libm and the dynamic loader (the CUDA driver is opened at run time, never linked);
the fatbin inside it holds a cubin and PTX for that architecture (read from the fatbin's own headers);
the PTX targets it; the runtime (Python, over libopenopt_runtime.so) describes the model as "cuda ARCH"
with the inputs and outputs of the ONNX model. Then it runs: without a GPU the run must fail with the
runtime's device error naming why; with one, its outputs must match ONNX Runtime's (CPU) within 1e-4.
Exit status 77 (skipped) without the CUDA toolkit's ptxas.

--pack DIR also writes what the GPU machine needs to check the models without a compiler: each model's
library, inputs (fixed seed) and ONNX Runtime's outputs computed here, plus a 4096^3 GEMM library, beside
tests/gpu/run_gpu_check.py; scripts/gpu-check.sh packs and runs it.
"""
import argparse
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import gen_inputs
import model_runners

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(E2E_DIR))
sys.path.insert(0, os.path.join(REPO, "python"))
ALLOWED_NEEDED = re.compile(r"^(libc\.so\.6|libm\.so\.6|ld-linux-[\w-]+\.so\.\d)$")
FATBIN_MAGIC = 0xBA55ED50
FATBIN_ELF, FATBIN_PTX = 2, 1

# C = A x B with A and B inputs (no weights: the library stays small).
GEMM_IR = """func.func @main(%a: tensor<{n}x{n}xf32> {{nn.name = "a"}}, %b: tensor<{n}x{n}xf32> {{nn.name = "b"}})
    -> (tensor<{n}x{n}xf32> {{nn.name = "c"}}) {{
  %c = nn.matmul %a, %b : (tensor<{n}x{n}xf32>, tensor<{n}x{n}xf32>) -> tensor<{n}x{n}xf32>
  return %c : tensor<{n}x{n}xf32>
}}
"""


def fatbin_entries(data):
    """(kind, arch) of every entry of every fatbin in `data` (a library's bytes)."""
    entries = []
    pos = data.find(struct.pack("<I", FATBIN_MAGIC))
    while pos >= 0:
        _, header, size = struct.unpack_from("<HHQ", data, pos + 4)
        at, end = pos + header, pos + header + size
        while at < end:
            kind, _, entry_header, entry_size = struct.unpack_from("<HHIQ", data, at)
            arch = struct.unpack_from("<I", data, at + 28)[0]
            entries.append((kind, arch))
            at += entry_header + entry_size
        pos = data.find(struct.pack("<I", FATBIN_MAGIC), end)
    return entries


def needed_libraries(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


# What each precision promises against ONNX Runtime on the CPU (max error over max |value|).
TOLERANCE = {"f32": 1e-4, "tf32": 2e-2, "tf32x3": 1e-4}
MMA_TF32 = "mma.sync.aligned.m16n8k4.row.col.f32.tf32.tf32.f32"


def compile_cuda(openopt, model, arch, out, precision="f32"):
    recipe = os.path.join(out, "cuda.recipe.json")
    os.makedirs(out, exist_ok=True)
    with open(recipe, "w") as f:
        json.dump({"name": f"cuda-{arch}-{precision}",
                   "target": {"kind": "cuda", "arch": arch, "precision": precision}}, f)
    start = time.perf_counter()
    proc = subprocess.run([openopt, "compile", model, "--recipe", recipe, "--emit", "shared-lib,ptx", "-o", out],
                          capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        lines = [l for l in (proc.stderr + proc.stdout).splitlines() if l.strip()]
        raise RuntimeError("compile failed: " + " | ".join(lines[-4:]))
    library = re.search(r"wrote (\S+\.so) ", proc.stdout).group(1)
    ptx = re.search(r"wrote (\S+\.ptx) ", proc.stdout).group(1)
    return library, ptx, seconds


def gpus():
    import openopt
    try:
        return openopt.gpu_devices()
    except openopt.OpenOptError as e:
        print(f"no GPU to run on: {e}")
        return []


def check_model(model_path, arch, args, openopt_bin, work, tally, table, have_gpu, precision="f32"):
    import openopt
    stem = os.path.splitext(os.path.basename(model_path))[0]
    head = f"{stem} {arch} {precision}"
    out = os.path.join(work, f"{stem}-{arch}-{precision}")
    try:
        library, ptx, seconds = compile_cuda(openopt_bin, model_path, arch, out, precision)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        tally.fail(f"{head}: {e}")
        return
    needed = needed_libraries(library)
    bad = [n for n in needed if not ALLOWED_NEEDED.match(n)]
    tally.expect(f"{head}: needs {', '.join(needed)}", not bad)
    with open(library, "rb") as f:
        entries = fatbin_entries(f.read())
    number = int(arch[3:])
    tally.expect(f"{head}: fatbin entries {entries}", (FATBIN_ELF, number) in entries and
                 (FATBIN_PTX, number) in entries and all(a == number for _, a in entries))
    with open(ptx) as f:
        text = f.read()
    kernels = len(re.findall(r"^\.visible \.entry ", text, re.M))
    tally.expect(f"{head}: PTX for .target {arch}, {kernels} kernels",
                 f".target {arch}" in text and kernels > 0)
    # Every bench model multiplies matrices (MatMul, Gemm, the convolutions' products): exact f32 keeps them on
    # the CUDA cores, TF32 puts them on the tensor cores.
    mma = text.count(MMA_TF32)
    tally.expect(f"{head}: {mma} tensor-core mma.sync in the PTX", mma == 0 if precision == "f32" else mma > 0)
    model = gen_inputs.load_model(model_path)
    m = openopt.load(library)
    tally.expect(f"{head}: the runtime describes it as '{m.target}'", m.target.startswith(f"cuda {arch} ") and
                 [s.name for s in m.inputs] == [i[0] for i in gen_inputs.graph_inputs(model)])
    arrays = gen_inputs.random_inputs(model, args.seed)
    if not have_gpu:
        try:
            m.run(arrays)
            tally.fail(f"{head}: ran without a GPU")
        except openopt.OpenOptError as e:
            tally.expect(f"{head}: without a GPU the run fails cleanly ({e.status}: {str(e)[:90]}...)",
                         e.status == "device error" and "NVIDIA GPU" in str(e))
    else:
        ref_dir = os.path.join(out, "ort")
        inputs = gen_inputs.write_tensors(os.path.join(out, "inputs"), arrays)
        ref = model_runners.run_ort(model_path, inputs, ref_dir)
        got = m.run(arrays)
        for name in gen_inputs.graph_output_names(model):
            want = model_runners.read_output(ref_dir, name)
            ok = ref.error is None and want is not None and got[name].shape == want.shape and \
                bool(abs(got[name].astype("f8") - want).max() <= TOLERANCE[precision] * max(1.0, abs(want).max()))
            tally.expect(f"{head}: output {name} vs onnxruntime", ok)
    m.close()
    table.append((stem, f"{arch} {precision}", seconds, os.path.getsize(library), kernels, mma))


def pack(args, openopt_bin, models, work):
    """The GPU machine's pack: libraries, inputs, ONNX Runtime's outputs, the GEMM, the runner."""
    arch = args.arch.split(",")[-1]
    os.makedirs(args.pack, exist_ok=True)
    manifest = {"arch": arch, "models": [], "gemm": []}
    variants = [(m, "f32") for m in models]
    for extra in filter(None, args.also.split(",")):
        precision, _, stem = extra.partition(":")
        variants += [(m, precision) for m in models if os.path.splitext(os.path.basename(m))[0] == stem]
    for model_path, precision in variants:
        stem = os.path.splitext(os.path.basename(model_path))[0]
        name = stem if precision == "f32" else f"{stem}-{precision}"
        out = os.path.join(args.pack, name)
        shutil.rmtree(out, ignore_errors=True)
        library, _, _ = compile_cuda(openopt_bin, model_path, arch, os.path.join(work, f"pack-{name}"), precision)
        os.makedirs(out)
        shutil.copy(library, out)
        model = gen_inputs.load_model(model_path)
        inputs = gen_inputs.write_tensors(os.path.join(out, "inputs"), gen_inputs.random_inputs(model, args.seed))
        ref = model_runners.run_ort(model_path, inputs, os.path.join(out, "expected"))
        if ref.error:
            raise RuntimeError(f"{stem}: onnxruntime: {ref.error}")
        manifest["models"].append({"name": name, "precision": precision, "tolerance": TOLERANCE[precision],
                                   "library": os.path.basename(library),
                                   "inputs": {n: os.path.relpath(p, args.pack) for n, p in inputs.items()},
                                   "outputs": gen_inputs.graph_output_names(model)})
    for precision in ("f32", "tf32", "tf32x3"):
        gemm_dir = os.path.join(work, f"gemm-{precision}")
        os.makedirs(gemm_dir, exist_ok=True)
        source = os.path.join(gemm_dir, f"gemm{args.gemm}_{precision}.mlir")
        with open(source, "w") as f:
            f.write(GEMM_IR.format(n=args.gemm))
        library, _, _ = compile_cuda(openopt_bin, source, arch, gemm_dir, precision)
        shutil.copy(library, os.path.join(args.pack, os.path.basename(library)))
        manifest["gemm"].append({"n": args.gemm, "precision": precision, "library": os.path.basename(library)})
    for src, dst in ((os.path.join(REPO, "tests", "gpu", "run_gpu_check.py"), "run_gpu_check.py"),
                     (os.path.join(REPO, "build", "lib", "libopenopt_runtime.so"), "libopenopt_runtime.so")):
        shutil.copy(src, os.path.join(args.pack, dst))
    shutil.copytree(os.path.join(REPO, "python", "openopt"), os.path.join(args.pack, "openopt"),
                    ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    with open(os.path.join(args.pack, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(args.pack) for n in names)
    print(f"packed {len(models)} models and the {args.gemm}^3 GEMM for {arch} in {args.pack} "
          f"({total / 2**20:.1f} MiB)")


class Tally(model_runners.Tally):
    def expect(self, line, ok):
        self.passed += bool(ok)
        self.failed += not ok
        print(f"{line} [{'ok' if ok else 'FAIL'}]")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+")
    p.add_argument("--openopt")
    p.add_argument("--arch", default="sm_80,sm_90")
    p.add_argument("--work")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--pack", help="write the GPU machine's pack here instead of checking")
    p.add_argument("--gemm", type=int, default=4096, help="the packed GEMM's size")
    p.add_argument("--precision", default="f32,tf32",
                   help="precisions checked (f32 for every --arch; the others for the last)")
    p.add_argument("--also", default="", help="with --pack: PRECISION:MODEL,... packed besides f32")
    args = p.parse_args(argv)
    cuda_home = os.environ.get("CUDA_HOME") or "/usr/local/cuda"
    if not os.access(os.path.join(cuda_home, "bin", "ptxas"), os.X_OK):
        print(f"skipped: no ptxas in {cuda_home}/bin (the CUDA toolkit)")
        return 77
    os.environ.setdefault("OPENOPT_RUNTIME_LIB", os.path.join(REPO, "build", "lib", "libopenopt_runtime.so"))
    openopt_bin = model_runners.find_openopt(args.openopt)
    models = []
    for path in args.models:
        models += sorted(glob.glob(os.path.join(path, "*.onnx"))) if os.path.isdir(path) else [path]
    work = args.work or tempfile.mkdtemp(prefix="openopt-cuda-")
    try:
        if args.pack:
            pack(args, openopt_bin, models, work)
            return 0
        have_gpu = bool(gpus())
        tally, table = Tally(), []
        precisions = args.precision.split(",")
        archs = args.arch.split(",")
        for model_path in models:
            for arch in archs:
                for precision in precisions:
                    if precision == "f32" or arch == archs[-1]:
                        check_model(model_path, arch, args, openopt_bin, work, tally, table, have_gpu, precision)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("| model | arch, precision | compile s | library bytes | kernels | tensor-core mma.sync |")
    print("|---|---|---:|---:|---:|---:|")
    for stem, arch, seconds, size, kernels, mma in table:
        print(f"| {stem} | {arch} | {seconds:.1f} | {size} | {kernels} | {mma} |")
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
