"""openopt.compile: a model to a shared library with the `openopt` compiler, then opened here."""
import atexit
import json
import os
import re
import shutil
import subprocess
import tempfile
from typing import Any, Mapping, Optional, Union

from .errors import OpenOptError
from .runtime import Model

Recipe = Union[str, os.PathLike, Mapping[str, Any], None]


def find_compiler(path: Optional[str] = None) -> str:
    """The `openopt` executable: `path`, else $OPENOPT_BIN, else the build tree beside this package
    (python/../build/bin/openopt), else `openopt` on PATH."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [path, os.environ.get("OPENOPT_BIN"),
                  os.path.join(os.path.dirname(os.path.dirname(here)), "build", "bin", "openopt"),
                  shutil.which("openopt")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise OpenOptError("cannot find the openopt compiler: build it, put it on PATH, or set OPENOPT_BIN")


def _run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [l for l in proc.stderr.splitlines() if l.strip()]
        errors = [l[len("error: "):] for l in lines if l.startswith("error: ")]
        raise OpenOptError("; ".join(errors) or (lines[-1] if lines else f"openopt exited with {proc.returncode}"))
    return proc.stdout


def _recipe_file(recipe: Recipe, work: str) -> Optional[str]:
    """A recipe file for `openopt compile`: `recipe` itself (a path), or a dict written as JSON."""
    if recipe is None or not isinstance(recipe, Mapping):
        return None if recipe is None else os.fspath(recipe)
    path = os.path.join(work, "compile.recipe.json")
    with open(path, "w") as f:
        json.dump(dict(recipe), f)
    return path


def compile(model: Union[str, os.PathLike], recipe: Recipe = None, *, threads: Optional[int] = None,
            output_dir: Optional[str] = None, weights_file: bool = False, compiler: Optional[str] = None) -> Model:
    """Compiles `model` (.onnx or .mlir) for this machine into libNAME.so and NAME.h (in `output_dir`, else a
    temporary folder removed when the process exits) and opens it.

    recipe: a *.recipe.json path or a dict (default: the built-in recipe); threads: overrides its thread count;
    weights_file: the weights go to NAME.weights beside the library (mapped when it is opened).
    Raises OpenOptError with the compiler's message when the model cannot be compiled."""
    compiler = find_compiler(compiler)
    if not os.path.isfile(model):
        raise OpenOptError(f"no such model file: {model}", "not found")
    out = output_dir
    if not out:
        out = tempfile.mkdtemp(prefix="openopt-model-")
        atexit.register(shutil.rmtree, out, True)
    os.makedirs(out, exist_ok=True)
    cmd = [compiler, "compile", os.fspath(model), "--emit", "shared-lib", "-o", out]
    recipe_path = _recipe_file(recipe, out)
    if recipe_path:
        cmd += ["--recipe", recipe_path]
    if threads is not None:
        if not isinstance(threads, int) or threads < 1:
            raise OpenOptError(f"threads must be a positive integer, got {threads!r}", "invalid argument")
        cmd += ["--threads", str(threads)]
    if weights_file:
        cmd.append("--weights-file")
    stdout = _run(cmd)
    libraries = re.findall(r"^wrote (\S+\.so) ", stdout, re.M)
    if not libraries:
        raise OpenOptError(f"openopt compile wrote no library: {stdout.strip()[:300]}")
    return Model(libraries[0])
