"""The cuda target from Python: a library compiled here for an NVIDIA GPU opens anywhere; it runs where a GPU is,
and elsewhere fails with a device error that says why (these tests check whichever this machine is)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import openopt
from conftest import REPO

CUDA_HOME = os.environ.get("CUDA_HOME") or "/usr/local/cuda"
STUB = os.path.join(CUDA_HOME, "lib64", "stubs", "libcuda.so")


def _gpus():
    try:
        return openopt.gpu_devices()
    except openopt.OpenOptError:
        return []


@pytest.fixture(scope="module")
def cuda_mlp(mlp_path, work):
    if not os.access(os.path.join(CUDA_HOME, "bin", "ptxas"), os.X_OK):
        pytest.skip(f"no CUDA toolkit at {CUDA_HOME} (ptxas) to compile for the cuda target")
    gpus = _gpus()
    arch = gpus[0].arch if gpus else "sm_90"
    return openopt.compile(mlp_path, recipe={"target": {"kind": "cuda", "arch": arch}},
                           output_dir=os.path.join(work, "cuda-mlp"))


def test_gpu_devices_lists_gpus_or_says_why_not():
    try:
        gpus = openopt.gpu_devices()
    except openopt.OpenOptError as e:
        assert e.status == "device error"
        assert "CUDA driver" in str(e)
        return
    for gpu in gpus:
        assert gpu.arch.startswith("sm_") and gpu.memory_bytes > 0 and gpu.name


def test_cuda_library_describes_itself(cuda_mlp, mlp):
    assert cuda_mlp.target.startswith("cuda sm_")
    assert cuda_mlp.inputs == mlp.inputs and cuda_mlp.outputs == mlp.outputs


def test_cuda_library_runs_on_a_gpu_or_fails_cleanly(cuda_mlp, mlp):
    rng = np.random.default_rng(7)
    feeds = {s.name: rng.standard_normal(s.shape).astype(np.float32) for s in mlp.inputs}
    if not _gpus():
        with pytest.raises(openopt.OpenOptError) as failure:
            cuda_mlp.run(feeds)
        assert failure.value.status == "device error"
        assert "runs on an NVIDIA GPU" in str(failure.value)
        # The session survives the failure: the next run says the same.
        with pytest.raises(openopt.OpenOptError):
            cuda_mlp.run(feeds)
        return
    expected = mlp.run(feeds)
    for _ in range(2):  # the second run reuses the uploaded weights and buffers
        got = cuda_mlp.run(feeds)
        for name, want in expected.items():
            np.testing.assert_allclose(got[name], want, rtol=1e-4, atol=1e-5)


def test_the_toolkit_stub_is_no_driver(cuda_mlp, mlp):
    if not os.path.exists(STUB):
        pytest.skip(f"no stub driver at {STUB}")
    script = ("import numpy as np, openopt, sys\n"
              "m = openopt.load(sys.argv[1])\n"
              "x = {s.name: np.zeros(s.shape, np.float32) for s in m.inputs}\n"
              "try:\n    m.run(x)\nexcept openopt.OpenOptError as e:\n    print(e.status, '|', e)\n")
    env = dict(os.environ, OPENOPT_LIBCUDA=STUB, PYTHONPATH=os.path.join(REPO, "python"))
    out = subprocess.run([sys.executable, "-c", script, cuda_mlp.path], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("device error |"), out.stdout
    assert "stub" in out.stdout


def test_kernel_times_are_for_gpu_models(cuda_mlp, mlp):
    with pytest.raises(openopt.OpenOptError) as failure:
        mlp.session().set_profiling(True)
    assert failure.value.status == "invalid argument" and "runs on the CPU" in str(failure.value)
    session = cuda_mlp.session()
    session.set_profiling(True)
    assert session.kernel_times() == []  # nothing has run yet
    feeds = {s.name: np.ones(s.shape, np.float32) for s in cuda_mlp.inputs}
    if not _gpus():
        with pytest.raises(openopt.OpenOptError):
            session.run(feeds)
        assert session.kernel_times() == []
        return
    session.run(feeds)
    times = session.kernel_times()
    assert times and all(t.name.startswith("k_") and t.milliseconds >= 0 for t in times)
    assert [t.start_ms for t in times] == sorted(t.start_ms for t in times)
