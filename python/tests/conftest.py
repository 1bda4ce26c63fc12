"""Fixtures: the compiler and runtime from the build tree (or $OPENOPT_BIN / $OPENOPT_RUNTIME_LIB), model
libraries compiled once per test session, and a real openoptd for the client's tests."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))

import openopt  # noqa: E402

BENCH_MODELS = os.environ.get("OPENOPT_BENCH_MODELS", os.path.join(os.path.dirname(REPO), "shared", "bench", "models"))

# sum = a + b over [batch, 4] (one symbol); scaled = 2 * c over [n] of i32.
DYNAMIC_MODEL = """
func.func @main(%a: tensor<?x4xf32> {nn.name = "a", nn.dim_params = ["batch", ""]},
                %b: tensor<?x4xf32> {nn.name = "b", nn.dim_params = ["batch", ""]},
                %c: tensor<?xi32> {nn.name = "c", nn.dim_params = ["n"]})
    -> (tensor<?x4xf32> {nn.name = "sum"}, tensor<?xi32> {nn.name = "scaled"}) {
  %two = nn.constant dense<2> : tensor<i32>
  %s = nn.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %t = nn.mul %c, %two : (tensor<?xi32>, tensor<i32>) -> tensor<?xi32>
  return %s, %t : tensor<?x4xf32>, tensor<?xi32>
}
"""


@pytest.fixture(scope="session")
def compiler():
    return openopt.find_compiler()


@pytest.fixture(scope="session")
def work():
    path = tempfile.mkdtemp(prefix="openopt-pytest-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def mlp_path():
    path = os.path.join(BENCH_MODELS, "mlp_b1.onnx")
    if not os.path.exists(path):
        pytest.skip(f"no bench model at {path}")
    return path


@pytest.fixture(scope="session")
def mlp(mlp_path, work):
    return openopt.compile(mlp_path, threads=2, output_dir=os.path.join(work, "mlp"))


@pytest.fixture(scope="session")
def dynamic(work):
    source = os.path.join(work, "dynamic.mlir")
    with open(source, "w") as f:
        f.write(DYNAMIC_MODEL)
    return openopt.compile(source, output_dir=os.path.join(work, "dynamic"))


def start_daemon(work, name, extra_args=()):
    """A real openoptd on a free port, with `extra_args`: (process, ws URL, token)."""
    binary = os.path.join(os.path.dirname(openopt.find_compiler()), "openoptd")
    if not os.path.exists(binary):
        pytest.skip(f"no openoptd at {binary}")
    data = os.path.join(work, name)
    token_file = os.path.join(work, name + ".token")
    proc = subprocess.Popen([binary, "--data-dir", data, "--token-file", token_file, "--port", "0", *extra_args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = None
    deadline = time.time() + 30
    while port is None and time.time() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        m = re.search(r"listening on https?://[^:]+:(\d+)/", line)
        if m:
            port = int(m.group(1))
    if port is None:
        proc.kill()
        pytest.fail("openoptd did not start")
    with open(token_file) as f:
        token = f.read().strip()
    return proc, f"ws://127.0.0.1:{port}/api", token


@pytest.fixture(scope="session")
def daemon(work):
    """A real openoptd on a free port: (ws URL, token)."""
    proc, url, token = start_daemon(work, "daemon")
    yield url, token
    proc.terminate()
    proc.wait(30)
