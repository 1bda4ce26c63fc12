#!/usr/bin/env python3
"""Checks that dependencies between the repository's C++ layers point one way:

    runtime  <-  compiler  <-  lsp  <-  server  <-  tools

A source file may include headers from its own layer and the layers to its
left, and a CMake target may link the targets of those layers, nothing more.
(`tests/` sits above everything and is not checked.)

    scripts/check_layering.py [--root DIR]

Prints what it checked per layer and every violation as FILE:LINE; exits 1 if
there is one.
"""
import argparse
import os
import re
import sys

LAYERS = ["runtime", "compiler", "lsp", "server", "tools"]
SOURCE_EXTENSIONS = (".c", ".cpp", ".h", ".hpp", ".inc", ".td")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
TARGET_DEFINITION = re.compile(r'\b(?:add_library|add_executable|openopt_add_library)\(\s*([A-Za-z0-9_.+-]+)')
LINK = re.compile(r'\btarget_link_libraries\(([^)]*)\)', re.S)


def layer_files(root, layer):
    for directory, _, names in os.walk(os.path.join(root, layer)):
        for name in sorted(names):
            yield os.path.join(directory, name)


def include_roots(root, layer):
    """Where `#include "X"` may find X for code of this layer: the layer's own
    folders (the compiler's public headers live under compiler/include)."""
    base = os.path.join(root, layer)
    roots = [os.path.join(base, "include")] if layer in ("runtime", "compiler") else [base]
    if layer == "tools":
        roots += [os.path.join(base, d) for d in sorted(os.listdir(base))
                  if os.path.isdir(os.path.join(base, d))]
    return roots


def resolve(include, source, root):
    """The layer an include resolves to: the including file's folder first,
    then each layer's include roots from the bottom up; None for headers that
    are not ours (system, MLIR, generated)."""
    here = os.path.join(os.path.dirname(source), include)
    if os.path.isfile(here):
        return layer_of(os.path.relpath(here, root))
    for layer in LAYERS:
        for r in include_roots(root, layer):
            if os.path.isfile(os.path.join(r, include)):
                return layer
    return None


def layer_of(relative_path):
    top = relative_path.split(os.sep, 1)[0]
    return top if top in LAYERS else None


def cmake_targets(root):
    """Target name -> the layer whose CMakeLists define it."""
    owner = {}
    for layer in LAYERS:
        for path in layer_files(root, layer):
            if os.path.basename(path) == "CMakeLists.txt":
                with open(path, encoding="utf-8") as f:
                    for name in TARGET_DEFINITION.findall(f.read()):
                        owner[name] = layer
    return owner


def check(root):
    violations = []
    summary = []
    targets = cmake_targets(root)
    for rank, layer in enumerate(LAYERS):
        allowed = set(LAYERS[: rank + 1])
        files = includes = links = 0
        for path in layer_files(root, layer):
            relative = os.path.relpath(path, root)
            if os.path.basename(path) == "CMakeLists.txt":
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                for m in LINK.finditer(text):
                    line = text.count("\n", 0, m.start()) + 1
                    for token in m.group(1).split()[1:]:
                        target_layer = targets.get(token)
                        if target_layer is None:
                            continue
                        links += 1
                        if target_layer not in allowed:
                            violations.append(f"{relative}:{line}: {layer}/ links {token}, "
                                              f"a target of {target_layer}/")
                continue
            if not path.endswith(SOURCE_EXTENSIONS):
                continue
            files += 1
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, text in enumerate(f, 1):
                    m = INCLUDE.match(text)
                    if not m:
                        continue
                    target_layer = resolve(m.group(1), path, root)
                    if target_layer is None:
                        continue
                    includes += 1
                    if target_layer not in allowed:
                        violations.append(f"{relative}:{number}: {layer}/ includes "
                                          f"\"{m.group(1)}\" from {target_layer}/")
        summary.append(f"{layer:9} {files:4} files, {includes:5} includes of ours, "
                       f"{links:3} links to our targets; may use: {', '.join(LAYERS[: rank + 1])}")
    return summary, violations


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)
    missing = [layer for layer in LAYERS if not os.path.isdir(os.path.join(root, layer))]
    if missing:
        print(f"check_layering: {root} has no {', '.join(missing)} folder", file=sys.stderr)
        return 2
    summary, violations = check(root)
    print("layers: " + " <- ".join(LAYERS))
    for line in summary:
        print("  " + line)
    for v in violations:
        print("violation: " + v)
    print(f"{len(violations)} violation(s)")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
