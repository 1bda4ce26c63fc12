#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every test: lit, GoogleTest units and
# end-to-end checks against ONNX Runtime.   scripts/test.sh [ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 1500 "$@"
