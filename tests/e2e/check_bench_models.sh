#!/usr/bin/env bash
# check_bench_models.sh - check_model.py on every benchmark model, with a summary table.
#   tests/e2e/check_bench_models.sh [--models DIR] [check_model.py options...]
# DIR: --models, else $BENCH_MODELS, else <repo>/../shared/bench/models. Other options go to check_model.py
# (--openopt, --tol, --threads, --work, ...). Exit status: that of check_model.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="${BENCH_MODELS:-$here/../../../shared/bench/models}"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,5s/^# \{0,1\}//p' "$0"; exit 0 ;;
    --models) [[ $# -ge 2 ]] || { echo "error: --models needs a directory" >&2; exit 2; }; models="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ -d "$models" ]] || { echo "error: benchmark models directory not found: $models (use --models DIR or BENCH_MODELS)" >&2; exit 2; }
# Debian's interpreter: it has python3-onnx and python3-numpy (a pyenv python3 may come first on PATH).
exec /usr/bin/python3 "$here/check_model.py" "$models" "${args[@]}"
