#!/usr/bin/env bash
# Builds the LSP fuzz target and runs it: RUNS iterations (default 10^6),
# seeded with the messages of the LSP transcript tests. Not part of CI.
#   tests/fuzz/run_lsp_fuzzer.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-1000000}
BUILD_DIR=${BUILD_DIR:-build}
cmake --build "$BUILD_DIR" -j2 --target openopt-lsp-fuzzer
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# One seed per transcript message, framed as stdin would carry it.
/usr/bin/python3 - "$corpus" tests/lit/Lsp/*.test <<'PY'
import sys, pathlib
out = pathlib.Path(sys.argv[1])
n = 0
for test in sys.argv[2:]:
    for chunk in pathlib.Path(test).read_text().split("\n// -----\n"):
        body = "\n".join(l for l in chunk.splitlines() if not l.lstrip().startswith("//")).strip()
        if body and len(body) < 4000:
            data = body.encode()
            (out / f"seed{n}").write_bytes(b"Content-Length: %d\r\n\r\n" % len(data) + data)
            n += 1
print(f"{n} seeds")
PY
ASAN_OPTIONS=detect_leaks=0 "$BUILD_DIR/bin/openopt-lsp-fuzzer" -runs="$RUNS" -max_len=4096 \
  -rss_limit_mb=6144 -print_final_stats=1 "$corpus" 2>&1 | tee "$BUILD_DIR/lsp-fuzz.log" | grep -E "^#|Done|ERROR|stat::number_of_executed_units" || true
grep -q "^Done $RUNS runs" "$BUILD_DIR/lsp-fuzz.log" || { echo "fuzzing did not complete $RUNS runs"; exit 1; }
