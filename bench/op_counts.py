#!/usr/bin/python3
"""op_counts.py - what the graph passes of a recipe do to each benchmark model.

  bench/op_counts.py [--models DIR] [--openopt PATH] [--recipe FILE]

Prints a markdown table: nn ops as imported and after the recipe's graph passes (constants
excluded, ops inside fusion groups counted), with the ops the passes target (BatchNormalization,
LayerNorm, GELU, Softmax) and the fusion groups formed.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OP = re.compile(r"=\s+(nn\.[a-z_]+)")


def count(openopt, model, recipe):
    cmd = [openopt, "opt", model]
    if recipe is not None:
        cmd += ["--recipe", recipe, "--graph-only"]
    ir = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    ops = collections.Counter(OP.findall(ir))
    groups = collections.Counter(re.findall(r'nn\.fused "([a-z]+)"', ir))
    return ops, groups


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=os.path.join(REPO, "..", "shared", "bench", "models"))
    parser.add_argument("--openopt", default=os.path.join(REPO, "build", "bin", "openopt"))
    parser.add_argument("--recipe", default=os.path.join(REPO, "recipes", "default.recipe.json"))
    args = parser.parse_args()
    print("| model | nn ops imported | after graph passes | BatchNorm | LayerNorm | GELU | Softmax "
          "| fused groups (epilogue / element-wise) |")
    print("|---|---:|---:|---|---:|---:|---:|---|")
    for name in sorted(os.listdir(args.models)):
        if not name.endswith(".onnx"):
            continue
        model = os.path.join(args.models, name)
        before, _ = count(args.openopt, model, None)
        after, groups = count(args.openopt, model, args.recipe)
        real = lambda c: sum(n for op, n in c.items() if op not in ("nn.constant", "nn.fused"))
        bn = f"{before['nn.batch_norm']} -> {after['nn.batch_norm']}"
        print(f"| {name[:-5]} | {real(before)} | {real(after)} | {bn} | {after['nn.layer_norm']} "
              f"| {after['nn.gelu']} | {after['nn.softmax']} "
              f"| {groups['epilogue']} / {groups['elementwise']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
