"""openopt.DaemonClient against a real openoptd: import, compile (with a shared library), run, profile,
download and run the library here; a wrong token and bad requests get clear errors."""
import os

import numpy as np
import pytest

import openopt

SHARED_LIBRARY_RECIPE = {"name": "with-library", "target": {"kind": "cpu"},
                         "outputs": {"object": False, "sharedLibrary": True, "weightsFile": True}}


def test_import_compile_run_profile(daemon, mlp_path, work):
    url, token = daemon
    with openopt.DaemonClient(url, token) as d:
        assert "version" in d.info() or d.info()
        model = d.import_model(mlp_path)
        assert model["id"]
        compiled = d.compile(model["id"], SHARED_LIBRARY_RECIPE)
        assert {"sharedLibrary", "header", "weights"} <= set(compiled["artifacts"])

        x = np.random.default_rng(5).uniform(-1, 1, (1, 784)).astype(np.float32)
        remote = d.run(compiled["id"], {"input": x}, iterations=3)
        assert remote.iterations == 3 and remote.latency_ms["median"] > 0
        assert remote.outputs["output"].shape == (1, 10)

        # Compiled there, run here.
        local = d.download_library(compiled, os.path.join(work, "downloaded"))
        assert os.path.exists(os.path.join(work, "downloaded", "libmlp_b1.so"))
        assert os.path.exists(os.path.join(work, "downloaded", "mlp_b1.h"))
        assert os.path.exists(os.path.join(work, "downloaded", "mlp_b1.weights"))
        np.testing.assert_allclose(local.run({"input": x})["output"], remote.outputs["output"], rtol=1e-5,
                                   atol=1e-6)

        profile = d.profile(compiled["id"], iterations=2)
        assert profile["trace"]["hash"] and profile["profile"]
        assert d.artifact(profile["trace"]).startswith(b"{") or d.artifact(profile["trace"]).startswith(b"[")


def test_errors_are_clear(daemon, mlp_path):
    url, token = daemon
    with pytest.raises(openopt.OpenOptError, match="token was refused"):
        openopt.DaemonClient(url, "wrong-token")
    with pytest.raises(openopt.OpenOptError, match="not a WebSocket URL"):
        openopt.DaemonClient("http://127.0.0.1:1/api", token)
    with pytest.raises(openopt.OpenOptError, match="cannot connect"):
        openopt.DaemonClient("ws://127.0.0.1:1/api", token, timeout=20)
    with openopt.DaemonClient(url, token) as d:
        model = d.import_model(mlp_path)
        with pytest.raises(openopt.OpenOptError, match="recipe"):
            d.compile(model["id"], '{"target": {"threads": 0}}')
        with pytest.raises(openopt.OpenOptError, match="compile/start"):
            d.compile("0" * 64)
        with pytest.raises(openopt.OpenOptError, match="no shared library"):
            d.download_library(d.compile(model["id"]), "/tmp/unused")
        with pytest.raises(openopt.OpenOptError, match="model/import"):
            d.import_model(b"not an onnx model", "junk.onnx")
