"""openopt-agent, the runtime-only server that runs model libraries compiled elsewhere: its HTTP API, `openopt remote
--url http://...` against it, and an openoptd that sends it runs (--agent): the remote flow a GPU server serves, here
through the same code with CPU libraries (and, for cuda libraries, the device error a machine without a GPU gives)."""
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

import openopt
from conftest import REPO, start_daemon

CUDA_HOME = os.environ.get("CUDA_HOME") or "/usr/local/cuda"


@pytest.fixture(scope="module")
def agent(work):
    """A real agent on a free port: (URL, token)."""
    token = "agent-token-" + os.urandom(12).hex()
    token_file = os.path.join(work, "agent.token")
    with open(token_file, "w") as f:
        f.write(token + "\n")
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "python"))
    proc = subprocess.Popen([sys.executable, "-m", "openopt.agent", "--port", "0", "--token-file", token_file,
                             "--data", os.path.join(work, "agent-data"), "--max-library-mb", "64"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    line = proc.stdout.readline()
    m = re.search(r"listening on (http://\S+)", line)
    if not m:
        proc.kill()
        pytest.fail(f"the agent did not start: {line!r}")
    yield m.group(1), token, token_file
    proc.terminate()
    proc.wait(30)


def http(url, method="GET", body=None, token=None):
    request = urllib.request.Request(url, data=body, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=120) as reply:
            data = reply.read()
            return reply.status, json.loads(data) if data else None
    except urllib.error.HTTPError as e:
        data = e.read()
        return e.code, json.loads(data) if data else None


def put_library(agent, path):
    url, token, _ = agent
    with open(path, "rb") as f:
        body = f.read()
    sha = hashlib.sha256(body).hexdigest()
    return sha, http(f"{url}/libraries/{sha}", "PUT", body, token)


def test_info_and_tokens(agent):
    url, token, _ = agent
    status, info = http(f"{url}/info", token=token)
    assert status == 200 and info["name"] == "openopt-agent" and info["abiVersion"] == 1
    assert isinstance(info["gpus"], list)
    assert info["gpus"] or "CUDA driver" in info["gpuError"]
    status, body = http(f"{url}/info", token="wrong-token-wrong-token")
    assert status == 401 and "token" in body["error"]["message"]
    status, body = http(f"{url}/info")
    assert status == 401


def test_runs_a_library_as_the_runtime_here_does(agent, mlp, mlp_path):
    url, token, _ = agent
    sha, (status, described) = put_library(agent, mlp.path)
    assert status == 200, described
    assert described["name"] == mlp.name and described["inputs"][0]["shape"] == list(mlp.inputs[0].shape)
    assert http(f"{url}/libraries/{sha}", "HEAD", token=token)[0] == 200
    x = np.random.default_rng(5).standard_normal(mlp.inputs[0].shape).astype(np.float32)
    request = {"library": sha, "iterations": 3, "outputs": "data",
               "inputs": {mlp.inputs[0].name: {"dtype": "f32", "shape": list(x.shape),
                                               "data": __import__("base64").b64encode(x.tobytes()).decode()}}}
    status, reply = http(f"{url}/run", "POST", json.dumps(request).encode(), token)
    assert status == 200, reply
    assert reply["device"] == "cpu" and len(reply["samplesMs"]) == 3 and reply["latencyMs"]["median"] > 0
    out = reply["outputs"][0]
    got = np.frombuffer(__import__("base64").b64decode(out["data"]), np.float32).reshape(out["shape"])
    want = mlp.run({mlp.inputs[0].name: x})[out["name"]]
    np.testing.assert_array_equal(got, want)


def test_bad_requests_get_clear_errors(agent, work):
    url, token, _ = agent
    cases = [
        ("POST", "/run", b"{not json", 400, "not JSON"),
        ("POST", "/run", b"[1]", 400, "JSON object"),
        ("POST", "/run", json.dumps({"library": "zz"}).encode(), 400, "SHA-256"),
        ("POST", "/run", json.dumps({"library": "0" * 64}).encode(), 404, "PUT /libraries"),
        ("PUT", "/libraries/" + "0" * 64, b"hello", 400, "SHA-256"),
        ("PUT", "/libraries/nope", b"hello", 400, "64 hex digits"),
        ("GET", "/nowhere", None, 404, "GET /info"),
    ]
    for method, path, body, status, words in cases:
        got, reply = http(url + path, method, body, token)
        assert got == status and words in reply["error"]["message"], (method, path, reply)
    text = b"not a library at all"
    status, reply = http(f"{url}/libraries/{hashlib.sha256(text).hexdigest()}", "PUT", text, token)
    assert status == 422 and "not a model library" in reply["error"]["message"]
    big = b"\0" * (65 << 20)
    status, reply = http(f"{url}/libraries/{hashlib.sha256(big).hexdigest()}", "PUT", big, token)
    assert status == 413 and "at most" in reply["error"]["message"]
    # The agent is still up.
    assert http(f"{url}/info", token=token)[0] == 200


def test_bad_run_parameters(agent, mlp):
    url, token, _ = agent
    sha, _ = put_library(agent, mlp.path)
    for request, words in [({"iterations": -1}, "/iterations"), ({"iterations": "3"}, "/iterations"),
                           ({"profile": "yes"}, "/profile"), ({"inputs": {"nope": {}}}, "no such input"),
                           ({"inputs": {mlp.inputs[0].name: {"dtype": "f32", "shape": [2], "data": "AAAA"}}},
                            "/inputs/"),
                           ({"outputs": "all"}, "/outputs")]:
        status, reply = http(f"{url}/run", "POST", json.dumps({"library": sha, **request}).encode(), token)
        assert status == 400 and words in reply["error"]["message"], (request, reply)


def test_remote_cli_against_the_agent(agent, mlp_path, compiler):
    url, token, _ = agent
    env = dict(os.environ, OPENOPT_TOKEN=token)
    out = subprocess.run([compiler, "remote", "--url", url, "run", mlp_path, "--iterations", "3"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert re.search(r"ran \w+ \(x86_64 \w+\) on http://\S+, device cpu: [\d.]+ ms median", out.stdout)
    out = subprocess.run([compiler, "remote", "--url", url, "profile", mlp_path, "--iterations", "2"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0 and "a CPU library is timed as a whole here" in out.stdout, out.stdout + out.stderr
    out = subprocess.run([compiler, "remote", "--url", url, "--token", "wrong-token-wrong-token", "info"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "missing or wrong token" in out.stderr
    out = subprocess.run([compiler, "remote", "--url", "http://127.0.0.1:1", "--token", token, "info"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "cannot reach the agent at http://127.0.0.1:1" in out.stderr


def test_cuda_libraries_run_on_the_agents_gpu_or_fail_cleanly(agent, mlp_path, compiler, work):
    if not os.access(os.path.join(CUDA_HOME, "bin", "ptxas"), os.X_OK):
        pytest.skip("no CUDA toolkit to compile for the cuda target")
    url, token, _ = agent
    recipe = os.path.join(work, "agent-cuda.recipe.json")
    with open(recipe, "w") as f:
        json.dump({"target": {"kind": "cuda", "arch": "sm_90"}}, f)
    status, info = http(f"{url}/info", token=token)
    out = subprocess.run([compiler, "remote", "--url", url, "--token", token, "profile", mlp_path, "--recipe",
                          recipe, "--iterations", "2"], capture_output=True, text=True, timeout=300)
    if info["gpus"]:
        assert out.returncode == 0 and "GPU kernel" in out.stdout, out.stdout + out.stderr
    else:
        assert out.returncode == 1 and "this model runs on an NVIDIA GPU (sm_90)" in out.stderr, out.stderr


def test_a_daemon_runs_on_its_agents_devices(agent, work, mlp, mlp_path, compiler):
    url, token, token_file = agent
    proc, ws, daemon_token = start_daemon(work, "daemon-with-agent",
                                          ["--agent", f"gpu1={url}", "--agent-token-file", f"gpu1={token_file}",
                                           "--agent", "down=http://127.0.0.1:1",
                                           "--agent-token-file", f"down={token_file}"])
    try:
        with openopt.DaemonClient(ws, daemon_token) as d:
            devices = {dev["id"]: dev for dev in d.info()["devices"]}
            assert devices["cpu"]["where"] == "local"
            assert devices["gpu1/cpu"]["where"] == "gpu1" and devices["gpu1/cpu"]["url"] == url
            assert devices["down/"]["kind"] == "agent" and "cannot reach the agent" in devices["down/"]["error"]
            model = d.import_model(mlp_path)
            with_library = d.compile(model["id"], {"target": {"kind": "cpu"}, "outputs": {"sharedLibrary": True}})
            x = {mlp.inputs[0].name: np.random.default_rng(2).uniform(-1, 1, mlp.inputs[0].shape)
                 .astype(np.float32)}
            here = d.run(with_library["id"], inputs=x, iterations=2)
            there = d.run(with_library["id"], inputs=x, iterations=2, device="gpu1/cpu")
            assert there.latency_ms["median"] > 0 and there.iterations == 2
            for key, value in here.outputs.items():
                np.testing.assert_allclose(there.outputs[key], value, rtol=1e-5, atol=1e-6)
            # Without inputs, the agent draws them from the seed.
            assert d.run(with_library["id"], iterations=1, device="gpu1/cpu").outputs
            plain = d.compile(model["id"])
            with pytest.raises(openopt.OpenOptError) as failure:
                d.run(plain["id"], device="gpu1/cpu")
            assert "has no model library to send to agent 'gpu1'" in str(failure.value)
            with pytest.raises(openopt.OpenOptError) as failure:
                d.run(plain["id"], device="tpu:0")
            assert "no device 'tpu:0'" in str(failure.value)
            with pytest.raises(openopt.OpenOptError) as failure:
                d.profile(with_library["id"], device="gpu1/cpu")
            assert "an agent's CPU times whole runs only" in str(failure.value)
            if os.access(os.path.join(CUDA_HOME, "bin", "ptxas"), os.X_OK):
                cuda = d.compile(model["id"], {"target": {"kind": "cuda", "arch": "sm_90"},
                                               "outputs": {"sharedLibrary": True}})
                with pytest.raises(openopt.OpenOptError) as failure:
                    d.run(cuda["id"], device="cpu")
                assert "is for target cuda" in str(failure.value)
        out = subprocess.run([compiler, "remote", "--url", ws, "--token", daemon_token, "run", mlp_path,
                              "--device", "gpu1/cpu", "--recipe", os.path.join(REPO, "python", "tests",
                                                                               "library.recipe.json")],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0 and "(gpu1/cpu)" in out.stdout, out.stdout + out.stderr
    finally:
        proc.terminate()
        proc.wait(30)


def test_non_finite_outputs_are_reported_not_broken(agent, work):
    """log of negative inputs: NaN in the output; JSON has no NaN, so the statistics are null and counted."""
    source = os.path.join(work, "log.mlir")
    with open(source, "w") as f:
        f.write('func.func @main(%x: tensor<64xf32> {nn.name = "x"}) -> (tensor<64xf32> {nn.name = "y"}) {\n'
                '  %y = nn.log %x : tensor<64xf32>\n  return %y : tensor<64xf32>\n}\n')
    model = openopt.compile(source, output_dir=os.path.join(work, "log"))
    sha, (status, _) = put_library(agent, model.path)
    assert status == 200
    url, token, _ = agent
    status, reply = http(f"{url}/run", "POST", json.dumps({"library": sha, "iterations": 1}).encode(), token)
    assert status == 200, reply
    out = reply["outputs"][0]
    assert out["nonFinite"] > 0 and out["mean"] is None
