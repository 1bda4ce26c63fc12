"""ctypes declarations of runtime/include/openopt/runtime.h (ABI version 1), and where to find the runtime."""
import ctypes
import os

ABI_VERSION = 1
MAX_RANK = 16

OK = 0
STATUS_NAMES = {
    1: "null argument", 2: "invalid argument", 3: "dtype mismatch", 4: "shape mismatch",
    5: "buffer too small", 6: "cannot load", 7: "version mismatch", 8: "out of memory",
    9: "run-time check failed", 10: "not found", 11: "device error",
}
DEVICE_ERROR = 11


class Tensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32), ("shape", ctypes.c_int64 * MAX_RANK),
                ("data", ctypes.c_void_p), ("bytes", ctypes.c_size_t)]


class TensorInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * MAX_RANK), ("dim_names", ctypes.c_char_p * MAX_RANK),
                ("kind", ctypes.c_char_p)]


class GpuDevice(ctypes.Structure):
    _fields_ = [("index", ctypes.c_int32), ("name", ctypes.c_char * 256), ("arch", ctypes.c_char * 16),
                ("memory_bytes", ctypes.c_uint64), ("driver_version", ctypes.c_int32),
                ("multiprocessors", ctypes.c_int32), ("clock_khz", ctypes.c_int32),
                ("memory_clock_khz", ctypes.c_int32), ("memory_bus_bits", ctypes.c_int32)]


class KernelTime(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("start_ms", ctypes.c_double), ("milliseconds", ctypes.c_double),
                ("flops", ctypes.c_int64), ("bytes", ctypes.c_int64)]


class SessionOptions(ctypes.Structure):
    _fields_ = [("threads", ctypes.c_int32)]


_P = ctypes.c_void_p
_ERR = ctypes.POINTER(ctypes.c_void_p)
_SIGNATURES = {
    "openopt_runtime_version": (ctypes.c_char_p, []),
    "openopt_runtime_abi_version": (ctypes.c_int32, []),
    "openopt_error_message": (ctypes.c_char_p, [_P]),
    "openopt_error_status": (ctypes.c_int, [_P]),
    "openopt_error_free": (None, [_P]),
    "openopt_model_open": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(_P), _ERR]),
    "openopt_model_close": (None, [_P]),
    "openopt_model_name": (ctypes.c_char_p, [_P]),
    "openopt_model_compiler_version": (ctypes.c_char_p, [_P]),
    "openopt_model_target": (ctypes.c_char_p, [_P]),
    "openopt_model_threads": (ctypes.c_int32, [_P]),
    "openopt_model_input_count": (ctypes.c_size_t, [_P]),
    "openopt_model_output_count": (ctypes.c_size_t, [_P]),
    "openopt_model_input_info": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(TensorInfo), _ERR]),
    "openopt_model_output_info": (ctypes.c_int, [_P, ctypes.c_size_t, ctypes.POINTER(TensorInfo), _ERR]),
    "openopt_session_create": (ctypes.c_int, [_P, ctypes.POINTER(SessionOptions), ctypes.POINTER(_P), _ERR]),
    "openopt_session_destroy": (None, [_P]),
    "openopt_session_set_profiling": (ctypes.c_int, [_P, ctypes.c_int, _ERR]),
    "openopt_session_kernel_times": (ctypes.c_int, [_P, ctypes.POINTER(KernelTime), ctypes.c_size_t,
                                                    ctypes.POINTER(ctypes.c_size_t), _ERR]),
    "openopt_gpu_devices": (ctypes.c_int, [ctypes.POINTER(GpuDevice), ctypes.c_size_t,
                                           ctypes.POINTER(ctypes.c_size_t), _ERR]),
    "openopt_session_run": (ctypes.c_int, [_P, ctypes.POINTER(Tensor), ctypes.c_size_t, ctypes.POINTER(Tensor),
                                           ctypes.c_size_t, _ERR]),
}


def runtime_library_candidates():
    """Where libopenopt_runtime.so is looked for: $OPENOPT_RUNTIME_LIB, then the build tree beside this package
    (python/../build/lib), then the system's library path."""
    env = os.environ.get("OPENOPT_RUNTIME_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    return [os.path.join(repo, "build", "lib", "libopenopt_runtime.so"), "libopenopt_runtime.so"]


_library = None


def library():
    """The runtime (loaded once), with every function's signature declared."""
    global _library
    if _library is None:
        errors = []
        for candidate in runtime_library_candidates():
            try:
                lib = ctypes.CDLL(candidate, mode=os.RTLD_LOCAL)
                break
            except OSError as e:
                errors.append(f"{candidate}: {e}")
        else:
            raise OSError("cannot load the OpenOptimizer runtime (build it, or set OPENOPT_RUNTIME_LIB): " +
                          "; ".join(errors))
        for name, (result, args) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = result, args
        if lib.openopt_runtime_abi_version() != ABI_VERSION:
            raise OSError(f"the runtime at {lib._name} has ABI version {lib.openopt_runtime_abi_version()}; this "
                          f"package speaks version {ABI_VERSION}")
        _library = lib
    return _library
