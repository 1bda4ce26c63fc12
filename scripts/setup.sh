#!/usr/bin/env bash
# Installs every dependency (Debian packages and npm only) and builds.
# Idempotent: a second run installs nothing and rebuilds only what changed.
#   scripts/setup.sh            release build in build/
#   BUILD_DIR=build-asan SANITIZE=ON scripts/setup.sh   ASan+UBSan build
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  cmake ninja-build ccache git pkg-config
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  libclang-rt-22-dev libomp-22-dev
  libboost1.81-dev nlohmann-json3-dev libspdlog-dev libsqlite3-dev libsqlitecpp-dev libssl-dev openssl
  libgtest-dev libgmock-dev
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata json-schema-test-suite
  python3-onnx python3-numpy python3-websockets python3-pytest
  gcc libopenblas-dev binutils valgrind file
  qemu-user libc6-dev-arm64-cross gcc-aarch64-linux-gnu
  neovim chromium
  ripgrep libkrb5-dev
)
command -v node >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# onnxruntime-node is the numeric reference and the benchmark peer. Its
# postinstall would fetch CUDA files from a host that is not reachable.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi

# The web UI (webui/): its own npm packages, then a Vite build into webui/dist,
# which openoptd serves at /. Rebuilt only when its sources or the schemas changed.
if [ ! -f webui/node_modules/.package-lock.json ] || [ webui/package-lock.json -nt webui/node_modules/.package-lock.json ]; then
  echo "setup: npm ci (webui)"
  (cd webui && npm ci --no-audit --no-fund)
fi
if [ ! -f webui/dist/index.html ] || [ -n "$(find webui/src webui/index.html webui/vite.config.ts webui/scripts schemas recipes/default.recipe.json webui/package-lock.json -newer webui/dist/index.html -print -quit)" ]; then
  echo "setup: building the web UI"
  (cd webui && npm run build --silent)
fi

# The VS Code extension (vscode-extension/): its npm packages, for its unit
# tests; the .vsix and code-server (a real VS Code) are made by the end-to-end
# test itself (tests/e2e/vscode/prepare.sh), off this path.
if [ ! -f vscode-extension/node_modules/.package-lock.json ] || [ vscode-extension/package-lock.json -nt vscode-extension/node_modules/.package-lock.json ]; then
  echo "setup: npm ci (vscode-extension)"
  (cd vscode-extension && npm ci --no-audit --no-fund)
fi

BUILD_DIR=${BUILD_DIR:-build}
SANITIZE=${SANITIZE:-OFF}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DOPENOPT_SANITIZE="$SANITIZE"
fi
# Two cores: MLIR translation units take ~1 GB and 10-20 s each.
# TARGETS limits the build (the ASan job builds only what its tests run).
cmake --build "$BUILD_DIR" -j2 ${TARGETS:+--target $TARGETS}
echo "setup: built $BUILD_DIR"

# The Python package (python/openopt) on Debian's python3's path: a .pth file
# naming this checkout (it finds the compiler and runtime in build/).
SITE=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
PTH="$SITE/openopt.pth"
if [ "$(cat "$PTH" 2>/dev/null)" != "$PWD/python" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO mkdir -p "$SITE" && echo "$PWD/python" | $SUDO tee "$PTH" >/dev/null &&
    echo "setup: python3 finds the openopt package through $PTH"
fi
