/*===- gpu_devices.c - the GPUs this machine has ---------------------------===*/
#include "cuda_driver.h"

#include <stdio.h>
#include <string.h>

static int attribute(const openopt_cuda_driver *d, int which, CUdevice device) {
  int value = 0;
  return d->cuDeviceGetAttribute(&value, which, device) == CUDA_SUCCESS ? value : 0;
}

openopt_status openopt_gpu_devices(openopt_gpu_device *devices, size_t capacity, size_t *count,
                                   openopt_error **error) {
  if (!count || (capacity && !devices))
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT,
                        "openopt_gpu_devices: count (and devices, with a capacity) must be given");
  *count = 0;
  char why[512];
  const openopt_cuda_driver *d = openopt_cuda_load(why, sizeof(why));
  if (!d)
    return openopt_fail(error, OPENOPT_ERROR_DEVICE, "%s", why);
  int n = 0, version = 0;
  CUresult result = d->cuDeviceGetCount(&n);
  if (result != CUDA_SUCCESS) {
    openopt_cuda_describe(d, result, why, sizeof(why));
    return openopt_fail(error, OPENOPT_ERROR_DEVICE, "cannot count the GPUs: %s", why);
  }
  d->cuDriverGetVersion(&version);
  for (int i = 0; i < n && (size_t)i < capacity; ++i) {
    openopt_gpu_device *out = &devices[i];
    memset(out, 0, sizeof(*out));
    CUdevice device;
    if ((result = d->cuDeviceGet(&device, i)) != CUDA_SUCCESS) {
      openopt_cuda_describe(d, result, why, sizeof(why));
      return openopt_fail(error, OPENOPT_ERROR_DEVICE, "cannot open GPU %d: %s", i, why);
    }
    out->index = i;
    if (d->cuDeviceGetName(out->name, (int)sizeof(out->name) - 1, device) != CUDA_SUCCESS)
      snprintf(out->name, sizeof(out->name), "GPU %d", i);
    snprintf(out->arch, sizeof(out->arch), "sm_%d%d",
             attribute(d, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
             attribute(d, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device));
    size_t bytes = 0;
    if (d->cuDeviceTotalMem(&bytes, device) == CUDA_SUCCESS)
      out->memory_bytes = bytes;
    out->driver_version = version;
    out->multiprocessors = attribute(d, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
    out->clock_khz = attribute(d, CU_DEVICE_ATTRIBUTE_CLOCK_RATE, device);
    out->memory_clock_khz = attribute(d, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, device);
    out->memory_bus_bits = attribute(d, CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, device);
  }
  *count = (size_t)n;
  return OPENOPT_OK;
}
