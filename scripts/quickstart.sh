#!/usr/bin/env bash
# Sets up, then compiles the ResNet-18 benchmark model for this CPU, checks it
# against ONNX Runtime and times it.   scripts/quickstart.sh [model.onnx]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
MODEL=${1:-../shared/bench/models/resnet18w48.onnx}
echo "== import: $MODEL"
build/bin/openopt import "$MODEL" -o /tmp/openopt-quickstart.mlir
echo "   IR in /tmp/openopt-quickstart.mlir ($(grep -c ' = nn\.' /tmp/openopt-quickstart.mlir) nn ops)"
echo "== compile + run, compared with ONNX Runtime"
/usr/bin/python3 tests/e2e/check_model.py "$MODEL"
echo "== latency (1 thread)"
build/bin/openopt run "$MODEL" --random-inputs --iterations 30
