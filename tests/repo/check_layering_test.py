#!/usr/bin/env python3
"""scripts/check_layering.py finds upward includes and links in a small tree
built here, passes the same tree without them, then checks the repository."""
import os
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHECKER = os.path.join(REPO, "scripts", "check_layering.py")


def write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)


def run(root):
    p = subprocess.run([sys.executable, CHECKER, "--root", root], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def tree(root, upward):
    write(root, "runtime/include/openopt/api.h", "#pragma once\n")
    write(root, "runtime/src/api.c", '#include "openopt/api.h"\n' +
          ('#include "openopt/Model.h"\n' if upward else ""))
    write(root, "compiler/include/openopt/Model.h", '#pragma once\n#include "openopt/api.h"\n')
    write(root, "compiler/lib/Model.cpp",
          '#include "openopt/Model.h"\n#include <vector>\n' +
          ('#include "Transport.h"\n' if upward else ""))
    write(root, "compiler/lib/CMakeLists.txt",
          "add_library(Core Model.cpp)\ntarget_link_libraries(Core PUBLIC MLIR" +
          (" Lsp" if upward else "") + ")\n")
    write(root, "lsp/Transport.h", '#include "openopt/Model.h"\n')
    write(root, "lsp/CMakeLists.txt", "add_library(Lsp Transport.cpp)\ntarget_link_libraries(Lsp PUBLIC Core)\n")
    write(root, "server/Api.cpp", '#include "Transport.h"\n' + ('#include "Cli.h"\n' if upward else ""))
    write(root, "tools/cli/Cli.h", '#include "Transport.h"\n#include "openopt/Model.h"\n')
    write(root, "tools/cli/CMakeLists.txt", "add_executable(cli main.cpp)\ntarget_link_libraries(cli PRIVATE Lsp Core)\n")


def main():
    failures = []
    with tempfile.TemporaryDirectory() as clean, tempfile.TemporaryDirectory() as bad:
        tree(clean, upward=False)
        tree(bad, upward=True)
        rc, out = run(clean)
        if rc != 0 or "0 violation(s)" not in out:
            failures.append(f"clean tree: rc={rc}\n{out}")
        rc, out = run(bad)
        expected = ['runtime/src/api.c:2: runtime/ includes "openopt/Model.h" from compiler/',
                    'compiler/lib/Model.cpp:3: compiler/ includes "Transport.h" from lsp/',
                    "compiler/lib/CMakeLists.txt:2: compiler/ links Lsp, a target of lsp/",
                    'server/Api.cpp:2: server/ includes "Cli.h" from tools/',
                    "4 violation(s)"]
        if rc != 1 or any(e not in out for e in expected):
            failures.append(f"tree with upward dependencies: rc={rc}\n{out}")
    rc, out = run(REPO)
    print(out, end="")
    if rc != 0:
        failures.append("the repository breaks the layering (above)")
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
