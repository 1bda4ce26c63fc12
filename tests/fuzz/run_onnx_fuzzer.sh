#!/usr/bin/env bash
# Builds the ONNX importer fuzz target and runs it: RUNS iterations (default
# 10^6), seeded with the small models of the ONNX backend suite
# (libonnx-testdata). Not part of CI: building the ASan target takes minutes;
# 10^6 runs took 36 s here (about 28,000 models a second).
#   tests/fuzz/run_onnx_fuzzer.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1000000}
BUILD_DIR=${BUILD_DIR:-build}
DATA=${ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}
cmake --build "$BUILD_DIR" -j2 --target openopt-onnx-fuzzer
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# Every suite model under 16 KiB: all op types, attributes, subgraphs.
n=0
while IFS= read -r model; do
  cp "$model" "$corpus/seed$n.onnx"; n=$((n + 1))
done < <(find "$DATA" -name model.onnx -size -16k | sort)
echo "$n seeds"
ASAN_OPTIONS=detect_leaks=0 "$BUILD_DIR/bin/openopt-onnx-fuzzer" -runs="$RUNS" -max_len=16384 \
  -timeout=20 -rss_limit_mb=6144 -print_final_stats=1 "$corpus" 2>&1 \
  | tee "$BUILD_DIR/onnx-fuzz.log" | grep -E "^#[0-9]+ +(INITED|DONE|pulse)|Done|ERROR|SUMMARY|stat::number_of_executed_units" || true
grep -q "^Done $RUNS runs" "$BUILD_DIR/onnx-fuzz.log" || { echo "fuzzing did not complete $RUNS runs"; exit 1; }
