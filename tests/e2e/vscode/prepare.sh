#!/usr/bin/env bash
# Readies the VS Code end-to-end test; idempotent, quiet when nothing changed:
#  1. code-server (a real VS Code) into tests/e2e/vscode/node_modules, when
#     package-lock.json is newer than the install. Its ripgrep would be fetched
#     from GitHub: Debian's rg (apt ripgrep) is put where @vscode/ripgrep looks
#     for a cached download. Native modules build against Debian's node headers
#     (libkrb5-dev for kerberos).
#  2. The extension's packages (npm ci) and its .vsix, when a source is newer.
# Needs only apt (nodejs npm ripgrep libkrb5-dev, see scripts/setup.sh) and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "prepare: installing code-server into $here/node_modules"
  rg_bin="$(command -v rg || true)"
  [ -n "$rg_bin" ] || { echo "prepare: ripgrep (apt install ripgrep) is needed" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/vscode-ripgrep-cache-1.15.11"
  cp "$rg_bin" "$tmp/rg"
  tar -C "$tmp" -czf "$tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
  (cd "$here" && TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr \
    npm ci --no-audit --no-fund --loglevel=error)
fi

ext="$repo/vscode-extension"
if [ ! -f "$ext/node_modules/.package-lock.json" ] || [ "$ext/package-lock.json" -nt "$ext/node_modules/.package-lock.json" ]; then
  echo "prepare: npm ci (vscode-extension)"
  (cd "$ext" && npm ci --no-audit --no-fund --loglevel=error)
fi
version="$(node -p "require('$ext/package.json').version")"
vsix="$ext/openopt-$version.vsix"
if [ ! -f "$vsix" ] || [ -n "$(find "$ext/src" "$ext/scripts" "$ext/package.json" "$ext/README.md" "$ext/syntaxes" "$ext/language-configuration.json" \
    "$repo/webui/src" "$repo/schemas" -newer "$vsix" -not -path '*/generated/*' -print -quit)" ]; then
  echo "prepare: packaging the extension"
  (cd "$ext" && npm run --silent package >&2)
fi
echo "$vsix"
