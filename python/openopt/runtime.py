"""Models compiled as shared libraries, opened and run through the C runtime (runtime/include/openopt/runtime.h)."""
import ctypes
import threading
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _capi
from .errors import OpenOptError

# openopt_dtype values and their numpy types (bf16 has none in numpy).
_DTYPES = {1: np.float16, 3: np.float32, 4: np.float64, 5: np.int8, 6: np.int16, 7: np.int32, 8: np.int64,
           9: np.uint8, 10: np.uint16, 11: np.uint32, 12: np.uint64, 13: np.bool_}
_DTYPE_NAMES = {1: "f16", 2: "bf16", 3: "f32", 4: "f64", 5: "i8", 6: "i16", 7: "i32", 8: "i64", 9: "u8",
                10: "u16", 11: "u32", 12: "u64", 13: "bool"}
_CODES = {np.dtype(t): code for code, t in _DTYPES.items()}


@dataclass(frozen=True)
class TensorSpec:
    """An input or output as the model declares it: `shape` has None where a dimension is known only at run
    time, and `dim_names` its symbolic name there ("batch"), else "". `kind` is "" for a tensor, else the part
    of a sequence or optional value it is ("sequence.values", ...)."""
    name: str
    dtype: str
    shape: Tuple[Optional[int], ...]
    dim_names: Tuple[str, ...]
    kind: str = ""

    @property
    def numpy_dtype(self) -> Optional[np.dtype]:
        code = {v: k for k, v in _DTYPE_NAMES.items()}[self.dtype]
        return np.dtype(_DTYPES[code]) if code in _DTYPES else None


def _check(status: int, error: ctypes.c_void_p) -> None:
    if status == _capi.OK:
        return
    lib = _capi.library()
    message = lib.openopt_error_message(error).decode() if error else _capi.STATUS_NAMES.get(status, "error")
    lib.openopt_error_free(error)
    raise OpenOptError(message, _capi.STATUS_NAMES.get(status, str(status)))


def _spec(info: _capi.TensorInfo) -> TensorSpec:
    shape = tuple(None if info.shape[d] < 0 else int(info.shape[d]) for d in range(info.rank))
    names = tuple((info.dim_names[d] or b"").decode() for d in range(info.rank))
    return TensorSpec(info.name.decode(), _DTYPE_NAMES.get(info.dtype, "?"), shape, names,
                      (info.kind or b"").decode())


Feeds = Union[Mapping[str, np.ndarray], Sequence[np.ndarray]]


@dataclass
class KernelTime:
    """One GPU kernel of a profiled run: named after the ONNX node it computes."""
    name: str
    start_ms: float     # from the start of the run's first kernel
    milliseconds: float
    flops: int          # the compiler's count of its floating-point operations (-1: unknown)
    bytes: int          # the bytes of the buffers it reads and writes, each once (-1: unknown)


class Session:
    """Runs one model with its own thread count and memory. Runs on one session take turns; sessions of one
    model run concurrently (from Python threads: the runtime releases the GIL while the model runs)."""

    def __init__(self, model: "Model", threads: int = 0):
        self._model = model
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        lib = _capi.library()
        options = _capi.SessionOptions(threads)
        _check(lib.openopt_session_create(model._handle, ctypes.byref(options), ctypes.byref(handle),
                                          ctypes.byref(error)), error)
        self._lock = threading.Lock()
        self._handle = handle

    def close(self) -> None:
        """Frees the session (its buffers and memory), after a run in progress; runs on it fail afterwards."""
        lock = getattr(self, "_lock", None)
        if lock is None:  # __init__ failed before the session existed
            return
        with lock:
            if self._handle:
                _capi.library().openopt_session_destroy(self._handle)
                self._handle = None

    def __del__(self):
        self.close()

    def set_profiling(self, enabled: bool = True) -> None:
        """Times every GPU kernel of the following runs (models compiled for the cuda target); a CPU model
        raises OpenOptError (profile it with `openopt profile`)."""
        with self._lock:
            self._open()
            error = ctypes.c_void_p()
            _check(_capi.library().openopt_session_set_profiling(self._handle, int(bool(enabled)),
                                                                  ctypes.byref(error)), error)

    def kernel_times(self) -> List[KernelTime]:
        """The kernels of the last profiled run, in launch order."""
        with self._lock:
            self._open()
            lib = _capi.library()
            count = ctypes.c_size_t(0)
            error = ctypes.c_void_p()
            _check(lib.openopt_session_kernel_times(self._handle, None, 0, ctypes.byref(count),
                                                    ctypes.byref(error)), error)
            times = (_capi.KernelTime * max(1, count.value))()
            _check(lib.openopt_session_kernel_times(self._handle, times, count.value, ctypes.byref(count),
                                                    ctypes.byref(error)), error)
            return [KernelTime(t.name.decode(errors="replace"), t.start_ms, t.milliseconds, t.flops, t.bytes)
                    for t in times[:count.value]]

    def _open(self) -> None:
        if not self._handle:
            raise OpenOptError("the session is closed", "invalid argument")

    def _ordered(self, feeds: Feeds) -> List[np.ndarray]:
        specs = self._model.inputs
        if isinstance(feeds, Mapping):
            unknown = [n for n in feeds if n not in {s.name for s in specs}]
            if unknown:
                raise OpenOptError(f"unknown input {unknown[0]!r}; model {self._model.name!r} takes "
                                   f"{', '.join(s.name for s in specs)}", "not found")
            missing = [s.name for s in specs if s.name not in feeds]
            if missing:
                raise OpenOptError(f"missing input {missing[0]!r}; model {self._model.name!r} takes "
                                   f"{', '.join(s.name for s in specs)}", "invalid argument")
            arrays = [feeds[s.name] for s in specs]
        else:
            arrays = list(feeds)
            if len(arrays) != len(specs):
                raise OpenOptError(f"model {self._model.name!r} takes {len(specs)} inputs, got {len(arrays)}",
                                   "invalid argument")
        ordered = []
        for spec, value in zip(specs, arrays):
            if not isinstance(value, np.ndarray):
                value = np.asarray(value)
                if value.dtype == np.float64 and spec.dtype == "f32":
                    value = value.astype(np.float32)  # a Python list of floats
            if value.dtype.byteorder == ">":
                raise OpenOptError(f"input {spec.name!r}: big-endian arrays are not taken; use "
                                   f"array.astype(array.dtype.newbyteorder('<'))", "dtype mismatch")
            if value.dtype not in _CODES:
                raise OpenOptError(f"input {spec.name!r} expects {spec.dtype}, got numpy {value.dtype} (which no "
                                   f"model takes)", "dtype mismatch")
            # A strided view (a slice, a transpose) is copied into C order.
            ordered.append(np.ascontiguousarray(value))
        return ordered

    def run(self, feeds: Feeds) -> Dict[str, np.ndarray]:
        """Runs the model on `feeds` (by name, or a sequence in input order); returns the outputs by name.
        Inputs are checked by the runtime (dtype, rank, fixed and named dimensions); arrays are not converted
        to the model's dtype, and a non-contiguous array is copied into C order first."""
        arrays = self._ordered(feeds)
        inputs = (_capi.Tensor * max(1, len(arrays)))()
        for t, a in zip(inputs, arrays):
            t.dtype = _CODES[a.dtype]
            t.rank = a.ndim
            if a.ndim > _capi.MAX_RANK:
                raise OpenOptError(f"an input of rank {a.ndim}: the runtime takes at most {_capi.MAX_RANK}",
                                   "shape mismatch")
            for d, n in enumerate(a.shape):
                t.shape[d] = n
            t.data = a.ctypes.data if a.size else None
            t.bytes = a.nbytes
        # Outputs of a fixed shape are written straight into numpy arrays; the others come back in the
        # session's buffers and are copied.
        outs = self._model.outputs
        results: List[Optional[np.ndarray]] = []
        outputs = (_capi.Tensor * max(1, len(outs)))()
        for t, spec in zip(outputs, outs):
            dtype = spec.numpy_dtype
            if dtype is not None and all(d is not None for d in spec.shape):
                # (numpy's pointer is not NULL even for no elements; NULL would ask for the
                # session's buffer.)
                array = np.empty(spec.shape, dtype)
                t.data, t.bytes = array.ctypes.data, array.nbytes
                results.append(array)
            else:
                results.append(None)
        error = ctypes.c_void_p()
        lib = _capi.library()
        with self._lock:
            if not self._handle:
                raise OpenOptError("the session is closed", "invalid argument")
            status = lib.openopt_session_run(self._handle, inputs, len(arrays), outputs, len(outs),
                                             ctypes.byref(error))
            _check(status, error)
            named = {}
            for spec, t, array in zip(outs, outputs, results):
                if array is None:
                    dtype = spec.numpy_dtype
                    if dtype is None:
                        raise OpenOptError(f"output {spec.name!r} is {spec.dtype}, which numpy cannot hold",
                                           "dtype mismatch")
                    shape = tuple(t.shape[d] for d in range(t.rank))
                    count = int(np.prod(shape, dtype=np.int64))
                    if count:
                        raw = (ctypes.c_char * t.bytes).from_address(t.data)
                        array = np.frombuffer(raw, dtype=dtype, count=count).reshape(shape).copy()
                    else:
                        array = np.empty(shape, dtype)
                named[spec.name] = array
        return named


class Model:
    """A model library (libNAME.so) opened through the runtime. `inputs` and `outputs` describe it;
    `run(feeds)` runs it on a session of its own (all the threads it was compiled for)."""

    def __init__(self, path: str):
        lib = _capi.library()
        handle = ctypes.c_void_p()
        error = ctypes.c_void_p()
        _check(lib.openopt_model_open(str(path).encode(), ctypes.byref(handle), ctypes.byref(error)), error)
        self._handle = handle
        self.path = str(path)
        self.name = lib.openopt_model_name(handle).decode()
        self.compiler_version = lib.openopt_model_compiler_version(handle).decode()
        self.target = lib.openopt_model_target(handle).decode()
        self.threads = int(lib.openopt_model_threads(handle))
        self.inputs = self._specs(lib.openopt_model_input_count, lib.openopt_model_input_info)
        self.outputs = self._specs(lib.openopt_model_output_count, lib.openopt_model_output_info)
        self._session: Optional[Session] = None
        self._sessions: List[Session] = []

    def _specs(self, count_fn, info_fn) -> List[TensorSpec]:
        specs = []
        for i in range(count_fn(self._handle)):
            info = _capi.TensorInfo()
            error = ctypes.c_void_p()
            _check(info_fn(self._handle, i, ctypes.byref(info), ctypes.byref(error)), error)
            specs.append(_spec(info))
        return specs

    def session(self, threads: int = 0) -> Session:
        """A new session: `threads` from 1 to the compiled count, 0 for all of them."""
        if not self._handle:
            raise OpenOptError(f"model {self.name!r} is closed", "invalid argument")
        s = Session(self, threads)
        self._sessions.append(s)
        return s

    def run(self, feeds: Feeds) -> Dict[str, np.ndarray]:
        """Runs the model once on its default session; see Session.run."""
        if not self._handle:
            raise OpenOptError(f"model {self.name!r} is closed", "invalid argument")
        if self._session is None:
            self._session = self.session()
        return self._session.run(feeds)

    def close(self) -> None:
        """Closes the model and its sessions."""
        for s in getattr(self, "_sessions", []):
            s.close()
        self._sessions = []
        self._session = None
        if getattr(self, "_handle", None):
            _capi.library().openopt_model_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        def show(s):
            dims = ", ".join(str(d) if d is not None else (n or "?") for d, n in zip(s.shape, s.dim_names))
            return f"{s.name}: {s.dtype}[{dims}]"
        return (f"<openopt.Model {self.name!r} ({', '.join(map(show, self.inputs))}) -> "
                f"({', '.join(map(show, self.outputs))}), {self.threads} thread(s), {self.target}>")


def load(path: str) -> Model:
    """Opens a model library compiled by `openopt compile --emit shared-lib` (or openopt.compile)."""
    return Model(path)
