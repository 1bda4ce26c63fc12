/*===- cuda_driver.c - the CUDA driver API, loaded at run time ------------===*/
#include "cuda_driver.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static openopt_cuda_driver driver;
static const openopt_cuda_driver *loaded;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* The first of `names` (NULL-terminated) the library defines. */
static void *lookup(void *handle, const char *const *names) {
  for (; *names; ++names) {
    void *symbol = dlsym(handle, *names);
    if (symbol)
      return symbol;
  }
  return NULL;
}

#define BIND(field, ...)                                                                     \
  do {                                                                                       \
    static const char *const names[] = {__VA_ARGS__, NULL};                                  \
    *(void **)&driver.field = lookup(handle, names);                                         \
    if (!driver.field) {                                                                     \
      snprintf(load_error, sizeof(load_error), "%s has no %s (a CUDA driver too old?)", path, \
               names[0]);                                                                    \
      return;                                                                                \
    }                                                                                        \
  } while (0)

static void load(void) {
  const char *path = getenv("OPENOPT_LIBCUDA");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    snprintf(load_error, sizeof(load_error),
             "no CUDA driver on this machine (cannot load %s: %s)", path, why ? why : "?");
    return;
  }
  BIND(cuInit, "cuInit");
  BIND(cuDriverGetVersion, "cuDriverGetVersion");
  BIND(cuGetErrorName, "cuGetErrorName");
  BIND(cuGetErrorString, "cuGetErrorString");
  BIND(cuDeviceGetCount, "cuDeviceGetCount");
  BIND(cuDeviceGet, "cuDeviceGet");
  BIND(cuDeviceGetName, "cuDeviceGetName");
  BIND(cuDeviceGetAttribute, "cuDeviceGetAttribute");
  BIND(cuDeviceTotalMem, "cuDeviceTotalMem_v2");
  BIND(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
  BIND(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease");
  BIND(cuCtxSetCurrent, "cuCtxSetCurrent");
  BIND(cuCtxGetCurrent, "cuCtxGetCurrent");
  BIND(cuMemGetInfo, "cuMemGetInfo_v2");
  BIND(cuStreamCreate, "cuStreamCreate");
  BIND(cuStreamDestroy, "cuStreamDestroy_v2");
  BIND(cuStreamSynchronize, "cuStreamSynchronize");
  BIND(cuStreamWaitEvent, "cuStreamWaitEvent");
  BIND(cuModuleLoadData, "cuModuleLoadData");
  BIND(cuModuleUnload, "cuModuleUnload");
  BIND(cuModuleGetFunction, "cuModuleGetFunction");
  BIND(cuLaunchKernel, "cuLaunchKernel");
  BIND(cuMemAlloc, "cuMemAlloc_v2");
  BIND(cuMemFree, "cuMemFree_v2");
  BIND(cuMemAllocAsync, "cuMemAllocAsync");
  BIND(cuMemFreeAsync, "cuMemFreeAsync");
  BIND(cuMemcpyAsync, "cuMemcpyAsync");
  BIND(cuMemcpyHtoD, "cuMemcpyHtoD_v2");
  BIND(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  BIND(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  BIND(cuMemsetD8Async, "cuMemsetD8Async");
  BIND(cuEventCreate, "cuEventCreate");
  BIND(cuEventDestroy, "cuEventDestroy_v2");
  BIND(cuEventRecord, "cuEventRecord");
  BIND(cuEventSynchronize, "cuEventSynchronize");
  BIND(cuEventElapsedTime, "cuEventElapsedTime_v2", "cuEventElapsedTime");
  CUresult result = driver.cuInit(0);
  if (result != CUDA_SUCCESS) {
    char why[256];
    openopt_cuda_describe(&driver, result, why, sizeof(why));
    snprintf(load_error, sizeof(load_error), "the CUDA driver (%s) cannot start: %s%s", path, why,
             result == CUDA_ERROR_STUB_LIBRARY ? "; this is the toolkit's stub, not a driver"
             : result == CUDA_ERROR_NO_DEVICE  ? "; there is no GPU"
                                               : "");
    return;
  }
  loaded = &driver;
}

const openopt_cuda_driver *openopt_cuda_load(char *message, size_t size) {
  pthread_once(&load_once, load);
  if (!loaded && message)
    snprintf(message, size, "%s", load_error);
  return loaded;
}

void openopt_cuda_describe(const openopt_cuda_driver *d, CUresult result, char *buffer,
                           size_t size) {
  const char *name = NULL, *text = NULL;
  if (d && d->cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = NULL;
  if (d && d->cuGetErrorString(result, &text) != CUDA_SUCCESS)
    text = NULL;
  snprintf(buffer, size, "%s (%s)", name ? name : "CUDA error", text ? text : "no description");
  if (!name)
    snprintf(buffer, size, "CUDA error %d", result);
}
