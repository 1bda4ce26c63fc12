"""The NVIDIA GPUs this machine has, as the runtime sees them (through the CUDA driver, loaded at run time)."""
import ctypes
from dataclasses import dataclass
from typing import List

from . import _capi
from .errors import OpenOptError


@dataclass
class GpuDevice:
    index: int
    name: str
    arch: str             # "sm_90": what a recipe's target "arch" names
    memory_bytes: int
    driver_version: int   # 13000 for CUDA 13.0
    multiprocessors: int
    clock_khz: int        # 0 where the driver does not say
    memory_clock_khz: int
    memory_bus_bits: int


def gpu_devices() -> List[GpuDevice]:
    """The GPUs; raises OpenOptError (status "device error") saying why there are none to ask (no driver, a driver
    that cannot start). A machine with a driver and no GPU gives []."""
    lib = _capi.library()
    count = ctypes.c_size_t(0)
    error = ctypes.c_void_p()
    status = lib.openopt_gpu_devices(None, 0, ctypes.byref(count), ctypes.byref(error))
    if status == _capi.OK and count.value:
        found = (_capi.GpuDevice * count.value)()
        status = lib.openopt_gpu_devices(found, count.value, ctypes.byref(count), ctypes.byref(error))
    if status != _capi.OK:
        message = lib.openopt_error_message(error).decode() if error else "device error"
        lib.openopt_error_free(error)
        raise OpenOptError(message, _capi.STATUS_NAMES.get(status, str(status)))
    if not count.value:
        return []
    return [GpuDevice(d.index, d.name.decode(errors="replace"), d.arch.decode(), d.memory_bytes, d.driver_version,
                      d.multiprocessors, d.clock_khz, d.memory_clock_khz, d.memory_bus_bits) for d in found]
