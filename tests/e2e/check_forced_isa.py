#!/usr/bin/env python3
"""A recipe's "isa" decides the instructions of the compiled code, not only
its register tiles: "avx2" on an AVX-512 host must give code an AVX2-only
host can run (no zmm register, no EVEX-only instruction), which is what the
AVX2 path's tests and benchmarks on such a host stand for.

usage: check_forced_isa.py --openopt BIN --model MODEL.onnx
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile


def compile_with_isa(openopt: str, model: str, isa: str, work: pathlib.Path) -> str:
    default = subprocess.run([openopt, "recipe", "default"], capture_output=True, text=True,
                             check=True).stdout
    recipe = work / f"{isa}.recipe.json"
    recipe.write_text(re.sub(r'"isa": "[a-z0-9]+"', f'"isa": "{isa}"', default))
    out = work / isa
    subprocess.run([openopt, "compile", model, "--recipe", str(recipe), "-o", str(out)],
                   capture_output=True, text=True, check=True)
    objects = list(out.glob("*.o"))
    if len(objects) != 1:
        sys.exit(f"expected one object in {out}, found {objects}")
    return subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(objects[0])],
                          capture_output=True, text=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--openopt", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    flags = open("/proc/cpuinfo").read()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        avx2 = compile_with_isa(args.openopt, args.model, "avx2", work)
        zmm = len(re.findall(r"%zmm\d+", avx2))
        masks = len(re.findall(r"%k[1-7]\b", avx2))
        ymm = len(re.findall(r"%ymm\d+", avx2))
        print(f"isa avx2: {ymm} ymm, {zmm} zmm, {masks} mask-register operands")
        failed = zmm > 0 or masks > 0 or ymm == 0
        if " avx512f " in flags:
            # The host's own path still uses AVX-512 (the check above would
            # pass for any compile that used neither).
            auto = compile_with_isa(args.openopt, args.model, "auto", work)
            auto_zmm = len(re.findall(r"%zmm\d+", auto))
            print(f"isa auto on this AVX-512 host: {auto_zmm} zmm")
            failed |= auto_zmm == 0
    print("FAIL" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
