#!/usr/bin/env bash
# The GPU check in two halves, for a GPU machine with the driver but no
# compiler (docs/cuda.md):
#
#   scripts/gpu-check.sh pack [ARCH]   here: compile every bench model and a
#       4096^3 GEMM for the cuda target (default sm_90), with inputs and ONNX
#       Runtime's outputs, into build/gpu-pack/{a,b}: two packs under 64 MiB
#       each (what one call to a GPU machine carries).
#   scripts/gpu-check.sh run PACK      there: run a pack (correctness, latency,
#       the GEMM against cuBLAS); results in $OUT/gpu-check-NAME.json when
#       $OUT is set.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in
  pack)
    arch="${2:-sm_90}"
    shared="$repo/../shared/bench/models"
    mobilenet="$repo/build/bench-models/mobilenetv2.onnx"
    if [ ! -f "$mobilenet" ]; then
      mkdir -p "$repo/build/bench-models"
      /usr/bin/python3 "$repo/bench/gen_mobilenetv2.py" "$mobilenet"
    fi
    rm -rf "$repo/build/gpu-pack"
    cd "$repo/tests/e2e"
    /usr/bin/python3 check_cuda.py --arch "$arch" --pack "$repo/build/gpu-pack/a" --also tf32:mlp_b64,tf32:tiny_conv_mm,tf32x3:tiny_conv_mm \
      "$shared/bert2l_tied.onnx" "$shared/mlp_b1.onnx" "$shared/mlp_b64.onnx" "$shared/tiny_conv_mm.onnx"
    /usr/bin/python3 check_cuda.py --arch "$arch" --pack "$repo/build/gpu-pack/b" --gemm 1024 \
      "$shared/resnet18w48.onnx" "$mobilenet"
    du -sh "$repo"/build/gpu-pack/*
    ;;
  run)
    pack="${2:?usage: gpu-check.sh run PACK}"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv || true
    json=()
    if [ -n "${OUT:-}" ]; then json=(--json "$OUT/gpu-check-$(basename "$pack").json"); fi
    python3 "$pack/run_gpu_check.py" "$pack" "${json[@]}"
    ;;
  *)
    sed -n '2,13p' "$0" >&2
    exit 2
    ;;
esac
