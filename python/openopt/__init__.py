"""OpenOptimizer from Python: compile ONNX models to shared libraries and run them on numpy arrays, or use a
running daemon (openoptd).

    import openopt
    m = openopt.compile("model.onnx", threads=2)      # libmodel.so + model.h, opened
    y = m.run({"input": x})["output"]
    m = openopt.load("out/libmodel.so")                 # a library compiled before, elsewhere

    with openopt.DaemonClient("ws://127.0.0.1:8765/api", token) as d:
        summary = d.compile(d.import_model("model.onnx")["id"])
        print(d.run(summary["id"]).latency_ms)
"""
from .compiler import compile, find_compiler
from .daemon import DaemonClient, RunResult
from .devices import GpuDevice, gpu_devices
from .errors import OpenOptError
from .runtime import Model, Session, TensorSpec, load


def runtime_version() -> str:
    """The version of the C runtime in use."""
    from . import _capi
    return _capi.library().openopt_runtime_version().decode()


__all__ = ["compile", "load", "Model", "Session", "TensorSpec", "DaemonClient", "RunResult", "OpenOptError",
           "find_compiler", "runtime_version", "gpu_devices", "GpuDevice"]
__version__ = "0.1.0"
