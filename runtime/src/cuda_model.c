/*===- cuda_model.c - running a model compiled for the cuda target --------===*
 *
 * Only in model libraries. A cuda model's host code (the entry function) is
 * ordinary code for this CPU that calls the functions of MLIR's GPU lowering
 * (mgpu*: load a kernel module, launch, allocate, copy) and
 * openopt_cuda_constant_* (a weight's device copy); they are defined here,
 * over the CUDA driver (cuda_driver.h), for the session whose run is in
 * progress on this thread.
 *
 * Per session: the primary context of one device ($OPENOPT_CUDA_DEVICE, else
 * 0), one stream on which everything of a run is queued (launches,
 * stream-ordered allocations, copies) with one wait at its end, the kernel
 * modules (loaded at first use), and each weight's device copy (uploaded
 * once). The entry function takes device buffers: a run copies the inputs
 * in, calls it, and copies the outputs out.
 *===----------------------------------------------------------------------===*/
#include "code_support.h"
#include "cuda_driver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t bytes);
void *__real_realloc(void *pointer, size_t bytes);
void __real_free(void *pointer);

typedef struct loaded_module {
  const void *image; /* the gpu.binary's bytes in the library */
  CUmodule module;
} loaded_module;

typedef struct loaded_function {
  const void *handle; /* what mgpuModuleLoad returned */
  const char *name; /* the library's string: compared by address first */
  CUfunction function;
} loaded_function;

typedef struct device_constant {
  const void *host;
  size_t bytes;
  CUdeviceptr device;
} device_constant;

typedef struct device_buffer {
  CUdeviceptr pointer;
  size_t capacity;
} device_buffer;

/* What the session's arena is for a cuda model. */
typedef struct cuda_session {
  openopt_arena *host; /* the host code's allocations */
  const openopt_cuda_driver *d;
  int ready;
  CUdevice device;
  CUcontext context;
  CUstream stream;
  char arch[16];
  loaded_module *modules;
  size_t num_modules, cap_modules;
  loaded_function *functions;
  size_t num_functions, cap_functions;
  device_constant *constants;
  size_t num_constants, cap_constants;
  device_buffer *io; /* one per input and output */
  /* The code's device buffers not freed yet (mgpuMemAlloc without its
   * mgpuMemFree): what a failed run leaves is freed after it. */
  CUdeviceptr *live;
  size_t num_live, cap_live;
  size_t num_io;
  /* Kernel timing (openopt_session_set_profiling): an event pair around each
   * launch of the run, read when it has finished. */
  int profiling;
  struct timed_launch *launches;
  size_t num_launches, cap_launches;
  CUevent *events; /* 2 per launch, kept from run to run */
  size_t num_events;
  openopt_kernel_time *times; /* the last profiled run's */
  size_t num_times, cap_times;
  openopt_model model; /* the specs, from the library's metadata */
  int has_model;
  int device_failed; /* the failure of the run in progress is the GPU's */
} cuda_session;

typedef struct timed_launch {
  const char *name;
  int64_t flops, bytes;
} timed_launch;

/* Defined by the compiler (openopt/model_format.h): "NAME FLOPS BYTES\n"... */
OPENOPT_HIDDEN extern const char __openopt_kernel_costs[];

/* The cost the compiler recorded for kernel `name` (-1s if none). */
static void kernel_cost(const char *name, int64_t *flops, int64_t *bytes) {
  *flops = *bytes = -1;
  size_t length = strlen(name);
  for (const char *line = __openopt_kernel_costs; *line;) {
    const char *end = strchr(line, '\n');
    if (!end)
      end = line + strlen(line);
    if ((size_t)(end - line) > length && strncmp(line, name, length) == 0 && line[length] == ' ') {
      long long f = -1, b = -1;
      if (sscanf(line + length, " %lld %lld", &f, &b) == 2) {
        *flops = f;
        *bytes = b;
      }
      return;
    }
    line = *end ? end + 1 : end;
  }
}

static __thread cuda_session *current;

/* The compiled arch: the metadata target is "cuda sm_90 x86_64 avx2" (the
 * kernels' architecture, then the host code's). */
static const char *compiled_arch(const cuda_session *s) {
  static __thread char arch[16];
  const char *target = s->model.target ? s->model.target : "";
  const char *start = strchr(target, ' ');
  start = start ? start + 1 : target;
  size_t n = strcspn(start, " ");
  snprintf(arch, sizeof(arch), "%.*s", (int)(n < sizeof(arch) - 1 ? n : sizeof(arch) - 1), start);
  return arch;
}

/* Ends the run in progress with a device error (never returns). */
static __attribute__((noreturn, format(printf, 1, 2))) void device_fail(const char *format, ...) {
  char message[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  if (current)
    current->device_failed = 1;
  openopt_runtime_fail(message);
}

static void check(CUresult result, const char *what) {
  if (result == CUDA_SUCCESS)
    return;
  char why[256];
  openopt_cuda_describe(current ? current->d : NULL, result, why, sizeof(why));
  if (result == CUDA_ERROR_NO_BINARY_FOR_GPU || result == CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
    device_fail("%s: %s; the model was compiled for %s and this GPU is %s (compile it with "
                "\"arch\": \"%s\")",
                what, why, current ? compiled_arch(current) : "?", current ? current->arch : "?",
                current ? current->arch : "?");
  if (result == CUDA_ERROR_OUT_OF_MEMORY && current) {
    size_t free_bytes = 0, total = 0;
    current->d->cuMemGetInfo(&free_bytes, &total);
    device_fail("%s: out of GPU memory (%zu of %zu MiB free)", what, free_bytes >> 20,
                total >> 20);
  }
  device_fail("%s: %s", what, why);
}

static int grow(void **array, size_t *capacity, size_t count, size_t element) {
  if (count < *capacity)
    return 1;
  size_t wanted = *capacity ? *capacity * 2 : 16;
  void *grown = __real_realloc(*array, wanted * element);
  if (!grown)
    return 0;
  *array = grown;
  *capacity = wanted;
  return 1;
}

/* ---- what the compiled host code calls --------------------------------- */

OPENOPT_HIDDEN void *mgpuStreamCreate(void) { return current->stream; }
OPENOPT_HIDDEN void mgpuStreamDestroy(void *stream) { (void)stream; }
/* The run waits once, at its end (everything is on one stream). */
OPENOPT_HIDDEN void mgpuStreamSynchronize(void *stream) { (void)stream; }

/* A kernel module of the library: MLIR's lowering "loads" each in a global
 * constructor, when the library is opened, before any session or context
 * exists. So loading only records the image; each session loads it into its
 * context at the first launch from it (module_in). */
typedef struct module_image {
  const void *image;
  size_t size;
} module_image;

OPENOPT_HIDDEN void *mgpuModuleLoad(void *image, size_t size) {
  module_image *handle = __real_malloc(sizeof(module_image));
  if (handle)
    *handle = (module_image){image, size};
  return handle; /* NULL (out of memory) fails at the first launch */
}

OPENOPT_HIDDEN void *mgpuModuleLoadJIT(void *image, int optLevel) {
  (void)optLevel;
  return mgpuModuleLoad(image, 0);
}

/* Called by the library's destructors, when it is closed (after its
 * sessions: each unloads its modules when destroyed). */
OPENOPT_HIDDEN void mgpuModuleUnload(void *handle) { __real_free(handle); }

static CUmodule module_in(cuda_session *s, const module_image *handle) {
  if (!handle)
    device_fail("out of host memory when the library was opened");
  for (size_t i = 0; i < s->num_modules; ++i)
    if (s->modules[i].image == handle->image)
      return s->modules[i].module;
  if (!grow((void **)&s->modules, &s->cap_modules, s->num_modules, sizeof(loaded_module)))
    device_fail("out of host memory for the kernel modules");
  CUmodule module;
  check(s->d->cuModuleLoadData(&module, handle->image), "loading the model's kernels");
  s->modules[s->num_modules++] = (loaded_module){handle->image, module};
  return module;
}

OPENOPT_HIDDEN void *mgpuModuleGetFunction(void *handle, const char *name) {
  cuda_session *s = current;
  for (size_t i = 0; i < s->num_functions; ++i) {
    loaded_function *f = &s->functions[i];
    if (f->handle == handle && (f->name == name || strcmp(f->name, name) == 0))
      return f->function;
  }
  CUmodule module = module_in(s, handle);
  if (!grow((void **)&s->functions, &s->cap_functions, s->num_functions, sizeof(loaded_function)))
    device_fail("out of host memory for the kernels");
  CUfunction function;
  char what[256];
  snprintf(what, sizeof(what), "finding kernel '%s'", name);
  check(s->d->cuModuleGetFunction(&function, module, name), what);
  s->functions[s->num_functions++] = (loaded_function){handle, name, function};
  return function;
}

/* The start and end events of the run's next launch (of `function`). */
static CUevent *launch_events(cuda_session *s, CUfunction function) {
  size_t index = s->num_launches;
  if (!grow((void **)&s->launches, &s->cap_launches, index, sizeof(timed_launch)))
    device_fail("out of host memory for the kernel times");
  if (2 * index + 2 > s->num_events) {
    CUevent *grown = __real_realloc(s->events, (2 * index + 2) * 2 * sizeof(CUevent));
    if (!grown)
      device_fail("out of host memory for the kernel times");
    s->events = grown;
    while (s->num_events < (2 * index + 2) * 2) {
      check(s->d->cuEventCreate(&s->events[s->num_events], CU_EVENT_DEFAULT), "timing a kernel");
      ++s->num_events;
    }
  }
  const char *name = "?";
  for (size_t i = 0; i < s->num_functions; ++i)
    if (s->functions[i].function == function)
      name = s->functions[i].name;
  timed_launch *launch = &s->launches[s->num_launches++];
  launch->name = name;
  kernel_cost(name, &launch->flops, &launch->bytes);
  return &s->events[2 * index];
}

/* After a profiled run has finished: each launch's start (from the first)
 * and duration. */
static void read_kernel_times(cuda_session *s) {
  while (s->cap_times < s->num_launches)
    if (!grow((void **)&s->times, &s->cap_times, s->cap_times, sizeof(openopt_kernel_time)))
      device_fail("out of host memory for the kernel times");
  for (size_t i = 0; i < s->num_launches; ++i) {
    float start = 0, duration = 0;
    check(s->d->cuEventElapsedTime(&start, s->events[0], s->events[2 * i]), "reading kernel times");
    check(s->d->cuEventElapsedTime(&duration, s->events[2 * i], s->events[2 * i + 1]),
          "reading kernel times");
    s->times[i] = (openopt_kernel_time){s->launches[i].name, start, duration,
                                        s->launches[i].flops, s->launches[i].bytes};
  }
  s->num_times = s->num_launches;
}

OPENOPT_HIDDEN void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                     intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                                     intptr_t blockZ, int32_t smem, void *stream, void **params,
                                     void **extra) {
  if (gridX <= 0 || gridY <= 0 || gridZ <= 0)
    return; /* an empty tensor: nothing to do */
  if (gridX > 0x7fffffff || gridY > 65535 || gridZ > 65535)
    device_fail("a kernel launch of %ld x %ld x %ld blocks is more than a GPU takes", (long)gridX,
                (long)gridY, (long)gridZ);
  cuda_session *s = current;
  CUevent *pair = NULL;
  if (s->profiling) {
    pair = launch_events(s, (CUfunction)function);
    check(s->d->cuEventRecord(pair[0], (CUstream)stream), "timing a kernel");
  }
  check(current->d->cuLaunchKernel((CUfunction)function, (unsigned)gridX, (unsigned)gridY,
                                   (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                                   (unsigned)blockZ, (unsigned)smem, (CUstream)stream, params,
                                   extra),
        "launching a kernel");
  if (pair)
    check(s->d->cuEventRecord(pair[1], (CUstream)stream), "timing a kernel");
}

OPENOPT_HIDDEN void *mgpuMemAlloc(uint64_t bytes, void *stream, bool hostShared) {
  (void)hostShared;
  CUdeviceptr pointer = 0;
  if (bytes == 0)
    bytes = 1;
  char what[96];
  snprintf(what, sizeof(what), "allocating %llu bytes of GPU memory", (unsigned long long)bytes);
  cuda_session *s = current;
  if (!grow((void **)&s->live, &s->cap_live, s->num_live, sizeof(CUdeviceptr)))
    device_fail("out of host memory for the GPU buffers' table");
  check(s->d->cuMemAllocAsync(&pointer, bytes, (CUstream)stream), what);
  s->live[s->num_live++] = pointer;
  return (void *)(uintptr_t)pointer;
}

/* Frees the device buffers a failed run left (after its queued work). */
static void free_live(cuda_session *s) {
  for (size_t i = 0; i < s->num_live; ++i)
    s->d->cuMemFreeAsync(s->live[i], s->stream);
  s->num_live = 0;
}

OPENOPT_HIDDEN void mgpuMemFree(void *pointer, void *stream) {
  if (!pointer)
    return;
  cuda_session *s = current;
  CUdeviceptr device = (CUdeviceptr)(uintptr_t)pointer;
  for (size_t i = s->num_live; i-- > 0;)
    if (s->live[i] == device) {
      s->live[i] = s->live[--s->num_live];
      break;
    }
  check(s->d->cuMemFreeAsync(device, (CUstream)stream), "freeing GPU memory");
}

OPENOPT_HIDDEN void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (bytes)
    check(current->d->cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src,
                                    bytes, (CUstream)stream),
          "copying in GPU memory");
}

OPENOPT_HIDDEN void mgpuMemset32(void *dst, uint32_t value, size_t count, void *stream) {
  (void)dst, (void)value, (void)count, (void)stream;
  device_fail("gpu.memset is not supported by this runtime");
}

OPENOPT_HIDDEN void *mgpuEventCreate(void) {
  CUevent event;
  check(current->d->cuEventCreate(&event, CU_EVENT_DEFAULT), "creating an event");
  return event;
}
OPENOPT_HIDDEN void mgpuEventDestroy(void *event) {
  check(current->d->cuEventDestroy((CUevent)event), "destroying an event");
}
OPENOPT_HIDDEN void mgpuEventSynchronize(void *event) {
  check(current->d->cuEventSynchronize((CUevent)event), "waiting for an event");
}
OPENOPT_HIDDEN void mgpuEventRecord(void *event, void *stream) {
  check(current->d->cuEventRecord((CUevent)event, (CUstream)stream), "recording an event");
}
OPENOPT_HIDDEN void mgpuStreamWaitEvent(void *stream, void *event) {
  check(current->d->cuStreamWaitEvent((CUstream)stream, (CUevent)event, 0),
        "ordering streams");
}

/* A rank-1 memref descriptor, as the C interface passes it. */
typedef struct memref_1d {
  void *allocated, *aligned;
  int64_t offset, size, stride;
} memref_1d;

/* The device copy of a weight (uploaded at its first use in the session). */
static void constant(memref_1d *result, const memref_1d *host, size_t element) {
  cuda_session *s = current;
  const void *data = (const char *)host->aligned + host->offset * (int64_t)element;
  size_t bytes = (size_t)host->size * element;
  CUdeviceptr device = 0;
  for (size_t i = 0; i < s->num_constants && !device; ++i)
    if (s->constants[i].host == data && s->constants[i].bytes == bytes)
      device = s->constants[i].device;
  if (!device) {
    if (!grow((void **)&s->constants, &s->cap_constants, s->num_constants,
              sizeof(device_constant)))
      device_fail("out of host memory for the weights' table");
    char what[96];
    snprintf(what, sizeof(what), "uploading a weight of %zu bytes", bytes);
    check(s->d->cuMemAlloc(&device, bytes ? bytes : 1), what);
    /* Recorded once the copy is queued: a failed upload is not reused. */
    CUresult copied = bytes ? s->d->cuMemcpyHtoDAsync(device, data, bytes, s->stream)
                            : CUDA_SUCCESS;
    if (copied != CUDA_SUCCESS) {
      s->d->cuMemFree(device);
      check(copied, what);
    }
    s->constants[s->num_constants++] = (device_constant){data, bytes, device};
  }
  *result = (memref_1d){(void *)(uintptr_t)device, (void *)(uintptr_t)device, 0, host->size, 1};
}

#define CONSTANT_FUNCTION(suffix, element)                                                     \
  OPENOPT_HIDDEN void _mlir_ciface_openopt_cuda_constant_##suffix(memref_1d *result,          \
                                                                  memref_1d *host) {          \
    constant(result, host, element);                                                         \
  }
CONSTANT_FUNCTION(f16, 2)
CONSTANT_FUNCTION(bf16, 2)
CONSTANT_FUNCTION(f32, 4)
CONSTANT_FUNCTION(f64, 8)
CONSTANT_FUNCTION(i1, 1)
CONSTANT_FUNCTION(i8, 1)
CONSTANT_FUNCTION(i16, 2)
CONSTANT_FUNCTION(i32, 4)
CONSTANT_FUNCTION(i64, 8)

/* ---- the library's functions for a cuda model --------------------------- */

static openopt_arena *cuda_arena_create(const openopt_model_library *self) {
  (void)self;
  cuda_session *s = __real_malloc(sizeof(cuda_session));
  if (!s)
    return NULL;
  memset(s, 0, sizeof(*s));
  s->host = openopt_arena_create();
  if (!s->host) {
    __real_free(s);
    return NULL;
  }
  return (openopt_arena *)s;
}

static void cuda_arena_destroy(const openopt_model_library *self, openopt_arena *arena) {
  (void)self;
  cuda_session *s = (cuda_session *)arena;
  if (!s)
    return;
  if (s->ready) {
    const openopt_cuda_driver *d = s->d;
    d->cuCtxSetCurrent(s->context);
    free_live(s);
    d->cuStreamSynchronize(s->stream);
    for (size_t i = 0; i < s->num_io; ++i)
      if (s->io[i].pointer)
        d->cuMemFree(s->io[i].pointer);
    for (size_t i = 0; i < s->num_constants; ++i)
      d->cuMemFree(s->constants[i].device);
    for (size_t i = 0; i < s->num_modules; ++i)
      d->cuModuleUnload(s->modules[i].module);
    for (size_t i = 0; i < s->num_events; ++i)
      d->cuEventDestroy(s->events[i]);
    d->cuStreamDestroy(s->stream);
    d->cuDevicePrimaryCtxRelease(s->device);
  }
  if (s->has_model)
    openopt_free_metadata(&s->model);
  __real_free(s->io);
  __real_free(s->modules);
  __real_free(s->functions);
  __real_free(s->constants);
  __real_free(s->launches);
  __real_free(s->live);
  __real_free(s->events);
  __real_free(s->times);
  openopt_arena_destroy(s->host);
  __real_free(s);
}

/* The device, context and stream, at the session's first run. */
static int start(cuda_session *s, const openopt_model_library *self, char *message,
                 size_t size) {
  if (!s->has_model) {
    openopt_error *error = NULL;
    if (openopt_read_metadata(&s->model, self->metadata, self->metadata_size, &error) !=
        OPENOPT_OK) {
      snprintf(message, size, "%s", openopt_error_message(error));
      openopt_error_free(error);
      return 0;
    }
    s->has_model = 1;
    s->num_io = s->model.num_inputs + s->model.num_outputs;
    s->io = __real_malloc((s->num_io ? s->num_io : 1) * sizeof(device_buffer));
    if (!s->io) {
      snprintf(message, size, "out of host memory");
      return 0;
    }
    memset(s->io, 0, (s->num_io ? s->num_io : 1) * sizeof(device_buffer));
  }
  char why[512];
  s->d = openopt_cuda_load(why, sizeof(why));
  if (!s->d) {
    snprintf(message, size, "this model runs on an NVIDIA GPU (%s): %s", compiled_arch(s), why);
    return 0;
  }
  const openopt_cuda_driver *d = s->d;
  int count = 0, ordinal = 0;
  const char *chosen = getenv("OPENOPT_CUDA_DEVICE");
  if (chosen && *chosen)
    ordinal = atoi(chosen);
  CUresult result = d->cuDeviceGetCount(&count);
  if (result != CUDA_SUCCESS || count == 0) {
    snprintf(message, size, "this model runs on an NVIDIA GPU (%s) and the driver sees none",
             compiled_arch(s));
    return 0;
  }
  if (ordinal < 0 || ordinal >= count) {
    snprintf(message, size, "OPENOPT_CUDA_DEVICE=%s, but there are only %d GPUs (0 to %d)",
             chosen, count, count - 1);
    return 0;
  }
  int major = 0, minor = 0;
  if ((result = d->cuDeviceGet(&s->device, ordinal)) != CUDA_SUCCESS ||
      (result = d->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                        s->device)) != CUDA_SUCCESS ||
      (result = d->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                        s->device)) != CUDA_SUCCESS ||
      (result = d->cuDevicePrimaryCtxRetain(&s->context, s->device)) != CUDA_SUCCESS) {
    openopt_cuda_describe(d, result, why, sizeof(why));
    snprintf(message, size, "cannot open GPU %d: %s", ordinal, why);
    return 0;
  }
  snprintf(s->arch, sizeof(s->arch), "sm_%d%d", major, minor);
  if ((result = d->cuCtxSetCurrent(s->context)) != CUDA_SUCCESS ||
      (result = d->cuStreamCreate(&s->stream, CU_STREAM_NON_BLOCKING)) != CUDA_SUCCESS) {
    openopt_cuda_describe(d, result, why, sizeof(why));
    d->cuDevicePrimaryCtxRelease(s->device);
    snprintf(message, size, "cannot start a stream on GPU %d: %s", ordinal, why);
    return 0;
  }
  s->ready = 1;
  return 1;
}

/* The descriptor of each tensor in `args` (one pointer per word): inputs,
 * then outputs. Replaces each data pointer with the device buffer's, and
 * copies the inputs there. */
static void stage(cuda_session *s, void **args, void **host_data, size_t *bytes) {
  const openopt_cuda_driver *d = s->d;
  size_t word = 0;
  for (size_t t = 0; t < s->num_io; ++t) {
    int is_input = t < s->model.num_inputs;
    const openopt_tensor_spec *spec =
        is_input ? &s->model.inputs[t] : &s->model.outputs[t - s->model.num_inputs];
    int64_t **w = (int64_t **)&args[word];
    void *aligned = (void *)(intptr_t)*w[1];
    int64_t offset = *w[2];
    size_t n = openopt_dtype_size(spec->dtype);
    for (int32_t r = 0; r < spec->rank; ++r)
      n *= (size_t)*w[3 + r];
    host_data[t] = (char *)aligned + offset * (int64_t)openopt_dtype_size(spec->dtype);
    bytes[t] = n;
    device_buffer *buffer = &s->io[t];
    if (buffer->capacity < n) {
      if (buffer->pointer)
        check(d->cuMemFree(buffer->pointer), "freeing GPU memory");
      buffer->pointer = 0;
      buffer->capacity = 0;
      char what[128];
      snprintf(what, sizeof(what), "allocating GPU memory for %s '%s' (%zu bytes)",
               is_input ? "input" : "output", spec->name, n);
      check(d->cuMemAlloc(&buffer->pointer, n ? n : 1), what);
      buffer->capacity = n;
    }
    if (is_input && n)
      check(d->cuMemcpyHtoDAsync(buffer->pointer, host_data[t], n, s->stream),
            "copying an input to the GPU");
    *w[0] = (int64_t)buffer->pointer;
    *w[1] = (int64_t)buffer->pointer;
    *w[2] = 0;
    word += 3 + 2 * (size_t)spec->rank;
  }
}

/* Everything of a run, inside the checked call (device failures unwind). */
static void run_on_device(void **args) {
  cuda_session *s = current;
  void (*entry)(void **) = (void (*)(void **))args[0];
  void **model_args = (void **)args[1];
  void *host_data[s->num_io ? s->num_io : 1];
  size_t bytes[s->num_io ? s->num_io : 1];
  s->num_launches = 0;
  stage(s, model_args, host_data, bytes);
  entry(model_args);
  for (size_t t = s->model.num_inputs; t < s->num_io; ++t)
    if (bytes[t])
      check(s->d->cuMemcpyDtoHAsync(host_data[t], s->io[t].pointer, bytes[t], s->stream),
            "copying an output from the GPU");
  check(s->d->cuStreamSynchronize(s->stream), "running the model's kernels");
  if (s->profiling)
    read_kernel_times(s);
  /* The caller's descriptors get their host buffers back. */
  size_t word = 0;
  for (size_t t = 0; t < s->num_io; ++t) {
    int64_t **w = (int64_t **)&model_args[word];
    *w[0] = *w[1] = (int64_t)(intptr_t)host_data[t];
    const openopt_tensor_spec *spec = t < s->model.num_inputs
                                          ? &s->model.inputs[t]
                                          : &s->model.outputs[t - s->model.num_inputs];
    word += 3 + 2 * (size_t)spec->rank;
  }
}

static int cuda_call(const openopt_model_library *self, void (*entry)(void **), void **args,
                     openopt_arena *arena, int32_t threads, char *message, size_t size) {
  (void)threads;
  cuda_session *s = (cuda_session *)arena;
  if (!s->ready && !start(s, self, message, size))
    return 2;
  if (s->model.returns_outputs) {
    snprintf(message, size, "a cuda model's outputs must have static shapes");
    return 2;
  }
  cuda_session *previous = current;
  current = s;
  s->device_failed = 0;
  s->d->cuCtxSetCurrent(s->context);
  openopt_arena *previous_arena = openopt_arena_use(s->host);
  void *call_args[2] = {(void *)entry, (void *)args};
  int failed = openopt_checked_call(run_on_device, call_args, message, size);
  if (failed) {
    openopt_arena_reclaim(s->host);
    /* What was queued before the failure must not outlive it; the buffers
     * the code had not freed yet go back. */
    free_live(s);
    s->d->cuStreamSynchronize(s->stream);
  }
  openopt_arena_use(previous_arena);
  current = previous;
  return failed ? (s->device_failed ? 2 : 1) : 0;
}

static void cuda_release(const openopt_model_library *self, void *buffer) {
  (void)self;
  __wrap_free(buffer);
}

static void cuda_set_profiling(const openopt_model_library *self, openopt_arena *arena,
                               int enabled) {
  (void)self;
  ((cuda_session *)arena)->profiling = enabled;
}

static size_t cuda_kernel_times(const openopt_model_library *self, openopt_arena *arena,
                                openopt_kernel_time *times, size_t capacity) {
  (void)self;
  cuda_session *s = (cuda_session *)arena;
  for (size_t i = 0; i < s->num_times && i < capacity; ++i)
    times[i] = s->times[i];
  return s->num_times;
}

OPENOPT_HIDDEN void openopt_cuda_fill_library(openopt_model_library *library) {
  library->set_profiling = cuda_set_profiling;
  library->kernel_times = cuda_kernel_times;
  library->call = cuda_call;
  library->arena_create = cuda_arena_create;
  library->arena_destroy = cuda_arena_destroy;
  library->release = cuda_release;
}
