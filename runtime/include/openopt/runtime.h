/*===- openopt/runtime.h - load and run compiled models (C API) -----------===*
 *
 * The OpenOptimizer runtime: what an application needs to run a model that
 * `openopt compile --emit shared-lib` compiled, and nothing more (no LLVM or
 * MLIR). Each compiled library (libNAME.so) carries this runtime inside it and
 * exports these functions; libopenopt_runtime.so has them too, for programs
 * that load models by path.
 *
 *   openopt_model *model;
 *   openopt_error *error = NULL;
 *   if (openopt_model_open("libresnet.so", &model, &error) != OPENOPT_OK) {
 *     fprintf(stderr, "%s\n", openopt_error_message(error));
 *     openopt_error_free(error);
 *   }
 *   openopt_session *session;
 *   openopt_session_create(model, NULL, &session, &error);
 *   openopt_tensor in = {...}, out = {0};          // out.data NULL: runtime-owned
 *   openopt_session_run(session, &in, 1, &out, 1, &error);
 *   ... read out.data (valid until the session's next run) ...
 *   openopt_session_destroy(session);
 *   openopt_model_close(model);
 *
 * Versioning. OPENOPT_RUNTIME_ABI_VERSION changes whenever a type or a
 * function here changes incompatibly, or the layout of what a compiled
 * library hands the runtime does; a runtime opens only libraries of its own
 * ABI version and says which version it found. Functions are only ever
 * added within one ABI version.
 *
 * Threads. A model is immutable once opened: any number of threads may query
 * it and create sessions on it. A session runs one call at a time; calls on
 * one session from several threads are serialised. Sessions of one model run
 * concurrently. A model must outlive its sessions. The first session of a
 * model compiled for more than one thread sets OMP_PLACES and OMP_PROC_BIND
 * with setenv, unless a thread binding is set already (see
 * docs/deploying.md): create it before other threads read the environment,
 * or set OMP_PROC_BIND yourself.
 *
 * Errors. Every function that can fail returns an openopt_status and, when
 * `error` is not NULL, stores a message (free it with openopt_error_free) that
 * names what was wrong: the input, its expected and given dtype or shape, the
 * argument that was NULL, the file that could not be loaded.
 *===----------------------------------------------------------------------===*/
#ifndef OPENOPT_RUNTIME_H
#define OPENOPT_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OPENOPT_RUNTIME_ABI_VERSION 1
/* The most dimensions a tensor at a model's boundary may have. */
#define OPENOPT_MAX_RANK 16

#if defined(__GNUC__)
#define OPENOPT_API __attribute__((visibility("default")))
#else
#define OPENOPT_API
#endif

typedef enum openopt_status {
  OPENOPT_OK = 0,
  OPENOPT_ERROR_NULL_ARGUMENT = 1,    /* a required pointer was NULL */
  OPENOPT_ERROR_INVALID_ARGUMENT = 2, /* an index, count or option out of range */
  OPENOPT_ERROR_DTYPE = 3,            /* a tensor of the wrong element type */
  OPENOPT_ERROR_SHAPE = 4,            /* wrong rank, a fixed dimension differs, or
                                         named dimensions disagree */
  OPENOPT_ERROR_BUFFER_TOO_SMALL = 5, /* a tensor's `bytes` is less than its shape needs */
  OPENOPT_ERROR_LOAD = 6,             /* the file cannot be loaded or is no compiled model */
  OPENOPT_ERROR_VERSION = 7,          /* compiled for another runtime ABI version */
  OPENOPT_ERROR_OUT_OF_MEMORY = 8,
  OPENOPT_ERROR_RUN = 9, /* the model's own run-time check failed (e.g. a shape the
                            inputs imply is inconsistent) */
  OPENOPT_ERROR_NOT_FOUND = 10, /* no input or output of that name */
  OPENOPT_ERROR_DEVICE = 11     /* a GPU model without a usable GPU (no driver, no
                                   device, an architecture the model lacks) or a
                                   GPU failure (out of device memory, a fault) */
} openopt_status;

/* Element types. Bool is one byte per element (0 or 1). */
typedef enum openopt_dtype {
  OPENOPT_F16 = 1,
  OPENOPT_BF16 = 2,
  OPENOPT_F32 = 3,
  OPENOPT_F64 = 4,
  OPENOPT_I8 = 5,
  OPENOPT_I16 = 6,
  OPENOPT_I32 = 7,
  OPENOPT_I64 = 8,
  OPENOPT_U8 = 9,
  OPENOPT_U16 = 10,
  OPENOPT_U32 = 11,
  OPENOPT_U64 = 12,
  OPENOPT_BOOL = 13
} openopt_dtype;

typedef struct openopt_model openopt_model;
typedef struct openopt_session openopt_session;
typedef struct openopt_error openopt_error;
/* What a compiled library hands the runtime (see openopt_model_open_linked). */
typedef struct openopt_model_library openopt_model_library;

/* A dense, row-major (C order) tensor. For inputs every field is given by
 * the caller. For outputs: data NULL asks the runtime for the buffer (owned by
 * the session, valid until its next run or its destruction); data not NULL is
 * the caller's buffer of `bytes` bytes. On return every output's dtype, rank,
 * shape, data and bytes (the tensor's size) are filled in. */
typedef struct openopt_tensor {
  openopt_dtype dtype;
  int32_t rank;
  int64_t shape[OPENOPT_MAX_RANK];
  void *data;
  size_t bytes;
} openopt_tensor;

/* An input or output as the model declares it. shape[i] is -1 for a
 * dimension known only at run time; dim_names[i] is its symbolic name ("batch")
 * or "" when it has none. kind is "" for a tensor; a model's sequence or
 * optional value comes as several tensors, each with its part as kind
 * ("sequence.values", "sequence.shapes", "optional.has", ...). Strings are
 * the model's, valid while it is open. */
typedef struct openopt_tensor_info {
  const char *name;
  openopt_dtype dtype;
  int32_t rank;
  int64_t shape[OPENOPT_MAX_RANK];
  const char *dim_names[OPENOPT_MAX_RANK];
  const char *kind;
} openopt_tensor_info;

typedef struct openopt_session_options {
  /* Threads for the model's parallel loops: 0 for as many as it was compiled
   * for, else 1 up to that number. */
  int32_t threads;
} openopt_session_options;

/* "0.1.0", the version of the runtime these functions belong to. */
OPENOPT_API const char *openopt_runtime_version(void);
OPENOPT_API int32_t openopt_runtime_abi_version(void);

/* "f32", "i64", "bool", ...; "?" for a value that is no dtype. */
OPENOPT_API const char *openopt_dtype_name(openopt_dtype dtype);
/* Bytes per element; 0 for a value that is no dtype. */
OPENOPT_API size_t openopt_dtype_size(openopt_dtype dtype);
/* A short text for a status ("shape mismatch"). */
OPENOPT_API const char *openopt_status_name(openopt_status status);

OPENOPT_API const char *openopt_error_message(const openopt_error *error);
OPENOPT_API openopt_status openopt_error_status(const openopt_error *error);
OPENOPT_API void openopt_error_free(openopt_error *error);

/* Loads a compiled library (libNAME.so) by path. */
OPENOPT_API openopt_status openopt_model_open(const char *path, openopt_model **model,
                                              openopt_error **error);
/* Opens the model of a library the program is linked with: NAME.h's
 * NAME_open() passes NAME_openopt_library(). */
OPENOPT_API openopt_status openopt_model_open_linked(const openopt_model_library *library,
                                                     openopt_model **model,
                                                     openopt_error **error);
OPENOPT_API void openopt_model_close(openopt_model *model);

OPENOPT_API const char *openopt_model_name(const openopt_model *model);
/* The version of the compiler that built the library ("openopt 0.1.0"). */
OPENOPT_API const char *openopt_model_compiler_version(const openopt_model *model);
/* The target it was compiled for ("x86_64 avx512", "aarch64 neon"). */
OPENOPT_API const char *openopt_model_target(const openopt_model *model);
/* The thread count it was compiled for. */
OPENOPT_API int32_t openopt_model_threads(const openopt_model *model);
OPENOPT_API size_t openopt_model_input_count(const openopt_model *model);
OPENOPT_API size_t openopt_model_output_count(const openopt_model *model);
OPENOPT_API openopt_status openopt_model_input_info(const openopt_model *model, size_t index,
                                                    openopt_tensor_info *info,
                                                    openopt_error **error);
OPENOPT_API openopt_status openopt_model_output_info(const openopt_model *model, size_t index,
                                                     openopt_tensor_info *info,
                                                     openopt_error **error);
OPENOPT_API openopt_status openopt_model_find_input(const openopt_model *model, const char *name,
                                                    size_t *index, openopt_error **error);
OPENOPT_API openopt_status openopt_model_find_output(const openopt_model *model,
                                                     const char *name, size_t *index,
                                                     openopt_error **error);

/* options NULL: the defaults (all zero). */
OPENOPT_API openopt_status openopt_session_create(openopt_model *model,
                                                  const openopt_session_options *options,
                                                  openopt_session **session,
                                                  openopt_error **error);
OPENOPT_API void openopt_session_destroy(openopt_session *session);

/* Runs the model once. `inputs` in the model's input order (num_inputs must
 * be the model's input count), `outputs` likewise. Inputs are checked
 * against the model (dtype, rank, fixed dimensions, named dimensions that
 * must agree, bytes) before anything runs; outputs against their buffers. */
OPENOPT_API openopt_status openopt_session_run(openopt_session *session,
                                               const openopt_tensor *inputs, size_t num_inputs,
                                               openopt_tensor *outputs, size_t num_outputs,
                                               openopt_error **error);

/* A GPU kernel's time in a profiled run. */
typedef struct openopt_kernel_time {
  const char *name;    /* the kernel, named after the ONNX node it computes
                          ("k_conv1_Conv"); valid until the next run */
  double start_ms;     /* from the start of the run's first kernel (GPU clock) */
  double milliseconds; /* how long it ran */
  int64_t flops;       /* its floating-point operations (the compiler's count; -1:
                          unknown), for GFLOP/s */
  int64_t bytes;       /* the bytes of the buffers it reads and writes, each once
                          (-1: unknown), for GB/s */
} openopt_kernel_time;

/* Profiling of a session's runs: with `enabled`, each run times every GPU
 * kernel it launches (CUDA events around each launch: the kernels still
 * queue back to back). For models compiled for the cuda target; a CPU
 * model gets OPENOPT_ERROR_INVALID_ARGUMENT (its profile is `openopt
 * profile`'s, which brackets each op in the code). */
OPENOPT_API openopt_status openopt_session_set_profiling(openopt_session *session, int enabled,
                                                         openopt_error **error);
/* The kernels of the session's last profiled run, in launch order: up to
 * `capacity` into `times`, and how many there were in *count. */
OPENOPT_API openopt_status openopt_session_kernel_times(openopt_session *session,
                                                        openopt_kernel_time *times,
                                                        size_t capacity, size_t *count,
                                                        openopt_error **error);

/* NVIDIA GPUs, through the CUDA driver (libcuda.so.1, opened at first use:
 * nothing here needs it to be installed). */
typedef struct openopt_gpu_device {
  int32_t index;
  char name[256];
  char arch[16];            /* "sm_90" */
  uint64_t memory_bytes;
  int32_t driver_version;   /* 13000 for CUDA 13.0 */
  int32_t multiprocessors;
  int32_t clock_khz;        /* 0 where the driver does not say */
  int32_t memory_clock_khz;
  int32_t memory_bus_bits;
} openopt_gpu_device;

/* Describes up to `capacity` GPUs into `devices` and stores how many there
 * are in *count. OPENOPT_ERROR_DEVICE (with why) where there is no driver
 * or it cannot start; *count is then 0. */
OPENOPT_API openopt_status openopt_gpu_devices(openopt_gpu_device *devices, size_t capacity,
                                               size_t *count, openopt_error **error);

#ifdef __cplusplus
}
#endif

#endif /* OPENOPT_RUNTIME_H */
