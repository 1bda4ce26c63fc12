#!/usr/bin/env python3
"""The GPU machine's half of scripts/gpu-check.sh: runs a pack that tests/e2e/check_cuda.py --pack wrote on a
machine with the compiler. Needs only Python with numpy, the pack (model libraries compiled for the cuda target,
the C runtime, the openopt package) and the NVIDIA driver; PyTorch, when present, gives the cuBLAS peer of the
GEMM.

  run_gpu_check.py PACK [--iterations 50] [--json results.json]

For each model: its outputs against ONNX Runtime's (computed on the CPU when packed) within the pack's tolerance,
then its latency (median of the iterations, with min and max). For the GEMM: its result against cuBLAS's
(torch.matmul with TF32 off), its time against cuBLAS's in the same process, alternating, and both GFLOP/s.
Last line `N passed, N failed`; exit status 1 on any failure.
"""
import argparse
import json
import os
import re
import statistics
import sys
import time

import numpy as np

PACK = os.path.dirname(os.path.abspath(__file__))


def tensor_path(directory, name):
    return os.path.join(directory, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".npy")


def timed(fn, iterations):
    fn()  # warm-up: modules, weights and buffers
    fn()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times), max(times)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pack", nargs="?", default=PACK)
    p.add_argument("--iterations", type=int, default=50)
    p.add_argument("--json")
    args = p.parse_args(argv)
    os.environ.setdefault("OPENOPT_RUNTIME_LIB", os.path.join(args.pack, "libopenopt_runtime.so"))
    sys.path.insert(0, args.pack)
    import openopt

    with open(os.path.join(args.pack, "manifest.json")) as f:
        manifest = json.load(f)
    results = {"devices": [], "models": [], "gemm": None}
    passed = failed = 0

    def check(line, ok):
        nonlocal passed, failed
        passed += bool(ok)
        failed += not ok
        print(f"{line} [{'ok' if ok else 'FAIL'}]", flush=True)

    try:
        gpus = openopt.gpu_devices()
    except openopt.OpenOptError as e:
        print(f"no GPU: {e}")
        return 1
    for g in gpus:
        print(f"GPU {g.index}: {g.name} {g.arch}, {g.memory_bytes / 2**30:.1f} GiB, {g.multiprocessors} SMs, "
              f"driver {g.driver_version}")
        results["devices"].append(vars(g))

    for entry in manifest["models"]:
        name = entry["name"]
        tol = entry["tolerance"]
        model = openopt.load(os.path.join(args.pack, name, entry["library"]))
        feeds = {n: np.load(os.path.join(args.pack, path)) for n, path in entry["inputs"].items()}
        try:
            got = model.run(feeds)
        except openopt.OpenOptError as e:
            check(f"{name}: run: {e}", False)
            continue
        worst = 0.0
        for out in entry["outputs"]:
            want = np.load(tensor_path(os.path.join(args.pack, name, "expected"), out))
            err = float(np.abs(got[out].astype(np.float64) - want).max() / max(1.0, float(np.abs(want).max())))
            worst = max(worst, err)
            check(f"{name}: output {out} vs onnxruntime (cpu): max error {err:.2e} (tolerance {tol})",
                  got[out].shape == want.shape and err <= tol)
        median, low, high = timed(lambda: model.run(feeds), args.iterations)
        print(f"{name}: {median:.3f} ms median ({low:.3f}-{high:.3f}) over {args.iterations} runs")
        # The profile: every kernel timed; their sum against the GPU time of the run (the first kernel's
        # start to the last one's end), and against the latency above (which adds the copies in and out).
        session = model.session()
        session.set_profiling(True)
        session.run(feeds)
        session.run(feeds)
        kernels = session.kernel_times()
        busy = sum(k.milliseconds for k in kernels)
        span = max((k.start_ms + k.milliseconds for k in kernels), default=0.0)
        check(f"{name}: profile: {len(kernels)} kernels, {busy:.3f} ms in kernels, {span:.3f} ms first start to "
              f"last end, {median:.3f} ms latency", kernels and abs(busy - span) <= 0.1 * span)
        top = {}
        for k in kernels:
            top[k.name] = top.get(k.name, 0.0) + k.milliseconds
        for kname, ms in sorted(top.items(), key=lambda kv: -kv[1])[:5]:
            print(f"    {kname}: {ms:.3f} ms ({100 * ms / max(busy, 1e-9):.0f} %)")
        results["models"].append({"name": name, "max_error": worst, "median_ms": median, "min_ms": low,
                                  "max_ms": high, "kernel_ms": busy, "kernel_span_ms": span,
                                  "kernels": [vars(k) for k in kernels]})

    try:
        import torch
        cuda_torch = torch.cuda.is_available()
    except ImportError:
        torch, cuda_torch = None, False
    results["gemm"] = []
    for gemm in manifest.get("gemm", []):
        n, precision = gemm["n"], gemm["precision"]
        model = openopt.load(os.path.join(args.pack, gemm["library"]))
        rng = np.random.default_rng(3)
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        flops = 2.0 * n ** 3
        ours = model.run({"a": a, "b": b})["c"]
        head = f"gemm {n}^3 {precision}"
        row = {"n": n, "precision": precision}
        # Against the exact product (f64 on the CPU): TF32 is ~1e-3 off, f32 and split TF32 ~1e-6.
        exact = a.astype(np.float64) @ b.astype(np.float64)
        err = float(np.abs(ours - exact).max() / np.abs(exact).max())
        check(f"{head}: max error {err:.2e} against the exact product", err <= (2e-2 if precision == "tf32" else 1e-4))
        row["max_error"] = err
        if cuda_torch:
            # The peer: cuBLAS at the same precision (TF32 for tf32; f32 for f32 and tf32x3).
            torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
            ta, tb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()

            def cublas():
                ta @ tb
                torch.cuda.synchronize()

            # Alternating, so that clocks and neighbours affect both alike. Ours includes the copies in and
            # out (the runtime's run); cuBLAS's does not: the ratio is a lower bound of the kernel's. The
            # kernel's own time is the profile's.
            mine, theirs = [], []
            for _ in range(5):
                mine.append(timed(lambda: model.run({"a": a, "b": b}), 3)[0])
                theirs.append(timed(cublas, 3)[0])
            session = model.session()
            session.set_profiling(True)
            session.run({"a": a, "b": b})
            kernel_ms = sum(k.milliseconds for k in session.kernel_times() if "mma" in k.name or "MatMul" in k.name
                            or k.name.startswith("k_op"))
            ms_ours, ms_cublas = statistics.median(mine), statistics.median(theirs)
            row.update(ours_ms=ms_ours, kernel_ms=kernel_ms, cublas_ms=ms_cublas,
                       ours_gflops=flops / ms_ours / 1e6, kernel_gflops=flops / max(kernel_ms, 1e-9) / 1e6,
                       cublas_gflops=flops / ms_cublas / 1e6, ratio=ms_cublas / ms_ours,
                       kernel_ratio=ms_cublas / max(kernel_ms, 1e-9))
            print(f"{head}: ours {ms_ours:.2f} ms per run ({row['ours_gflops']:.0f} GFLOP/s), its kernels "
                  f"{kernel_ms:.2f} ms ({row['kernel_gflops']:.0f} GFLOP/s); cuBLAS {ms_cublas:.2f} ms "
                  f"({row['cublas_gflops']:.0f} GFLOP/s): {row['kernel_ratio']:.3f}x cuBLAS (kernels), "
                  f"{row['ratio']:.3f}x (whole run)")
        else:
            median, low, high = timed(lambda: model.run({"a": a, "b": b}), 5)
            row.update(ours_ms=median, ours_gflops=flops / median / 1e6)
            print(f"{head}: ours {median:.2f} ms ({row['ours_gflops']:.0f} GFLOP/s); no PyTorch with CUDA here for the "
                  "cuBLAS peer")
        results["gemm"].append(row)

    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
