"""openopt.compile / openopt.load / Model.run: results against the JIT (`openopt run`) and numpy, threads,
sessions, and every kind of bad input."""
import os
import subprocess
import threading

import numpy as np
import pytest

import openopt


def jit_outputs(compiler, model, x, work):
    """`openopt run` (the JIT) on input `x`: its output array."""
    np.save(os.path.join(work, "x.npy"), x)
    out = os.path.join(work, "jit")
    subprocess.run([compiler, "run", model, "--input", f"input={os.path.join(work, 'x.npy')}", "--output-dir", out],
                   check=True, capture_output=True)
    return np.load(os.path.join(out, "output.npy"))


def test_compile_and_run_match_the_jit(mlp, mlp_path, compiler, work):
    x = np.random.default_rng(3).uniform(-1, 1, (1, 784)).astype(np.float32)
    ours = mlp.run({"input": x})["output"]
    assert ours.shape == (1, 10) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, jit_outputs(compiler, mlp_path, x, work), rtol=1e-5, atol=1e-6)
    # By position, and again (a second run reuses the session).
    np.testing.assert_array_equal(mlp.run([x])["output"], ours)


def test_describes_the_model(mlp, dynamic):
    assert mlp.name == "mlp_b1" and mlp.threads == 2 and "x86_64" in mlp.target
    assert mlp.compiler_version.startswith("openopt ")
    assert [(s.name, s.dtype, s.shape) for s in mlp.inputs] == [("input", "f32", (1, 784))]
    b = dynamic.inputs[1]
    assert (b.name, b.dtype, b.shape, b.dim_names, b.kind) == ("b", "f32", (None, 4), ("batch", ""), "")
    assert "a: f32[batch, 4]" in repr(dynamic)


def test_dynamic_shapes(dynamic):
    for batch in (1, 5, 0):
        a = np.arange(batch * 4, dtype=np.float32).reshape(batch, 4)
        c = np.arange(batch + 2, dtype=np.int32)
        out = dynamic.run({"a": a, "b": a, "c": c})
        np.testing.assert_array_equal(out["sum"], 2 * a)
        np.testing.assert_array_equal(out["scaled"], 2 * c)
        assert out["scaled"].dtype == np.int32


def test_weights_in_a_file(mlp_path, mlp, work):
    separate = openopt.compile(mlp_path, threads=2, weights_file=True, output_dir=os.path.join(work, "separate"))
    assert os.path.getsize(os.path.join(work, "separate", "mlp_b1.weights")) > 1 << 20
    assert os.path.getsize(separate.path) < os.path.getsize(mlp.path) // 4
    x = np.random.default_rng(6).uniform(-1, 1, (1, 784)).astype(np.float32)
    np.testing.assert_array_equal(separate.run({"input": x})["output"], mlp.run({"input": x})["output"])


def test_load_opens_a_library_compiled_before(mlp):
    again = openopt.load(mlp.path)
    x = np.ones((1, 784), np.float32)
    np.testing.assert_array_equal(again.run({"input": x})["output"], mlp.run({"input": x})["output"])
    again.close()
    with pytest.raises(openopt.OpenOptError, match="model 'mlp_b1' is closed"):
        again.run({"input": x})


def test_wrong_dtype_shape_and_names(dynamic, mlp):
    a = np.zeros((2, 4), np.float32)
    c = np.zeros(3, np.int32)
    with pytest.raises(openopt.OpenOptError, match=r"input 0 'a' f32\[batch, 4\]: expects f32, got f64") as e:
        dynamic.run({"a": a.astype(np.float64), "b": a, "c": c})
    assert e.value.status == "dtype mismatch"
    with pytest.raises(openopt.OpenOptError, match=r"dimension 1 is fixed to 4 by the model, got 5") as e:
        dynamic.run({"a": np.zeros((2, 5), np.float32), "b": a, "c": c})
    assert e.value.status == "shape mismatch"
    with pytest.raises(openopt.OpenOptError, match="dimension 'batch' is 2 in input 'a' but 3 in input 'b'"):
        dynamic.run({"a": a, "b": np.zeros((3, 4), np.float32), "c": c})
    with pytest.raises(openopt.OpenOptError, match="expects rank 2, got a tensor of rank 1"):
        dynamic.run({"a": np.zeros(4, np.float32), "b": a, "c": c})
    with pytest.raises(openopt.OpenOptError, match="missing input 'c'; model 'dynamic' takes a, b, c"):
        dynamic.run({"a": a, "b": a})
    with pytest.raises(openopt.OpenOptError, match="unknown input 'z'"):
        dynamic.run({"a": a, "b": a, "c": c, "z": c})
    with pytest.raises(openopt.OpenOptError, match="takes 3 inputs, got 2"):
        dynamic.run([a, a])
    with pytest.raises(openopt.OpenOptError, match="got numpy complex64"):
        dynamic.run({"a": a.astype(np.complex64), "b": a, "c": c})
    with pytest.raises(openopt.OpenOptError, match="big-endian"):
        dynamic.run({"a": a.astype(">f4"), "b": a, "c": c})


def test_non_contiguous_arrays_are_copied(dynamic):
    base = np.arange(48, dtype=np.float32).reshape(4, 12)
    a = base[:, ::3]  # strided view, 4 x 4
    assert not a.flags["C_CONTIGUOUS"]
    t = np.ascontiguousarray(base[:4, :4].T)
    out = dynamic.run({"a": a, "b": base[:4, :4].T, "c": np.zeros(1, np.int32)})
    np.testing.assert_array_equal(out["sum"], np.ascontiguousarray(a) + t)


def test_sessions_threads_and_concurrency(mlp):
    x = np.random.default_rng(4).uniform(-1, 1, (1, 784)).astype(np.float32)
    expected = mlp.run({"input": x})["output"]
    one = mlp.session(threads=1)
    np.testing.assert_allclose(one.run({"input": x})["output"], expected, rtol=1e-6, atol=1e-7)
    with pytest.raises(openopt.OpenOptError, match="may use 1 to 2 threads .*not 3") as e:
        mlp.session(threads=3)
    assert e.value.status == "invalid argument"
    errors = []

    def work(session):
        for _ in range(50):
            if not np.allclose(session.run({"input": x})["output"], expected, rtol=1e-6, atol=1e-7):
                errors.append("mismatch")

    threads = [threading.Thread(target=work, args=(mlp.session(threads=1),)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    one.close()
    with pytest.raises(openopt.OpenOptError, match="the session is closed"):
        one.run({"input": x})


def test_load_refuses_what_is_no_model_library(work, mlp):
    with pytest.raises(openopt.OpenOptError, match="cannot load .*No such file") as e:
        openopt.load(os.path.join(work, "missing.so"))
    assert e.value.status == "cannot load"
    with open(mlp.path, "rb") as f:
        data = f.read()
    cut = os.path.join(work, "cut.so")
    with open(cut, "wb") as f:
        f.write(data[: len(data) // 3])
    with pytest.raises(openopt.OpenOptError, match="cut short or damaged"):
        openopt.load(cut)
    text = os.path.join(work, "text.so")
    with open(text, "w") as f:
        f.write("hello\n")
    with pytest.raises(openopt.OpenOptError, match="not an ELF shared library"):
        openopt.load(text)


def test_compile_errors_are_the_compilers(work):
    bad = os.path.join(work, "bad.mlir")
    with open(bad, "w") as f:
        f.write("func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> { %y = nn.nope %x }\n")
    with pytest.raises(openopt.OpenOptError, match="nn.nope"):
        openopt.compile(bad)
    with pytest.raises(openopt.OpenOptError, match="no such model file"):
        openopt.compile(os.path.join(work, "absent.onnx"))
    with pytest.raises(openopt.OpenOptError, match="threads must be a positive integer"):
        openopt.compile(bad, threads=0)


def test_ctypes_layouts_match_the_header(work):
    """The ctypes structs are runtime.h's, field by field (a field added on one side only corrupts memory)."""
    import ctypes
    import shutil
    from openopt import _capi
    cc = shutil.which("cc") or shutil.which("clang-22")
    if not cc:
        pytest.skip("no C compiler")
    include = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           "runtime", "include")
    source = os.path.join(work, "layout.c")
    fields = {"openopt_tensor": [f for f, _ in _capi.Tensor._fields_],
              "openopt_tensor_info": [f for f, _ in _capi.TensorInfo._fields_],
              "openopt_session_options": [f for f, _ in _capi.SessionOptions._fields_],
              "openopt_gpu_device": [f for f, _ in _capi.GpuDevice._fields_],
              "openopt_kernel_time": [f for f, _ in _capi.KernelTime._fields_]}
    with open(source, "w") as f:
        f.write('#include "openopt/runtime.h"\n#include <stdio.h>\n#include <stddef.h>\nint main(void) {\n')
        for struct, names in fields.items():
            f.write(f'  printf("{struct} %zu\\n", sizeof({struct}));\n')
            for name in names:
                f.write(f'  printf("{struct}.{name} %zu\\n", offsetof({struct}, {name}));\n')
        f.write("  return 0;\n}\n")
    program = os.path.join(work, "layout")
    subprocess.run([cc, "-I", include, source, "-o", program], check=True)
    c_side = dict(line.split() for line in subprocess.run([program], capture_output=True, text=True,
                                                          check=True).stdout.splitlines())
    py_side = {}
    for struct, cls in (("openopt_tensor", _capi.Tensor), ("openopt_tensor_info", _capi.TensorInfo),
                        ("openopt_session_options", _capi.SessionOptions), ("openopt_gpu_device", _capi.GpuDevice),
                        ("openopt_kernel_time", _capi.KernelTime)):
        py_side[struct] = str(ctypes.sizeof(cls))
        for name in fields[struct]:
            py_side[f"{struct}.{name}"] = str(getattr(cls, name).offset)
    assert py_side == c_side
