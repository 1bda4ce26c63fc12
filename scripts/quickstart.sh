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

# The browser app: openoptd with the model imported and compiled, so the first
# page shows its graph, passes and IR. Ctrl-C stops the daemon.
PORT=${PORT:-8787}
DATA=${OPENOPT_QUICKSTART_DATA:-/tmp/openopt-quickstart}
mkdir -p "$DATA"
echo "== the web UI: openoptd on port $PORT (data in $DATA)"
build/bin/openoptd --port "$PORT" --data-dir "$DATA/db" --token-file "$DATA/admin.token" > "$DATA/openoptd.out" 2>&1 &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null || true' INT TERM EXIT
for _ in $(seq 100); do grep -q "listening on" "$DATA/openoptd.out" && break; sleep 0.1; done
grep -q "listening on" "$DATA/openoptd.out" || { cat "$DATA/openoptd.out"; exit 1; }
TOKEN=$(cat "$DATA/admin.token")
build/bin/openopt remote --url "ws://127.0.0.1:$PORT" --token "$TOKEN" compile "$MODEL" > /dev/null
echo "   $(basename "$MODEL") is imported and compiled. Open:"
echo "   http://127.0.0.1:$PORT/?token=$TOKEN"
[ "${QUICKSTART_NO_WAIT:-}" = 1 ] || wait $DAEMON
