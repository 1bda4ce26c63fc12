/*===- internal.h - the runtime's own types ------------------------------===*/
#ifndef OPENOPT_RUNTIME_INTERNAL_H
#define OPENOPT_RUNTIME_INTERNAL_H

#include "openopt/model_format.h"
#include "openopt/runtime.h"

#include <pthread.h>
#include <stdbool.h>

#define OPENOPT_HIDDEN __attribute__((visibility("hidden")))

typedef struct openopt_tensor_spec {
  char *name;
  openopt_dtype dtype;
  int32_t rank;
  int64_t shape[OPENOPT_MAX_RANK];
  char *dim_names[OPENOPT_MAX_RANK];
  char *kind;
} openopt_tensor_spec;

struct openopt_model {
  const openopt_model_library *library;
  void *handle; /* dlopen's, for a library opened by path; else NULL */
  char *name, *compiler_version, *target;
  int32_t threads;
  bool returns_outputs;
  size_t num_inputs, num_outputs;
  openopt_tensor_spec *inputs, *outputs;
};

/* An output buffer the session owns. */
typedef struct openopt_owned_buffer {
  void *data;
  size_t capacity;
} openopt_owned_buffer;

struct openopt_session {
  openopt_model *model;
  int32_t threads;
  openopt_arena *arena;
  pthread_mutex_t lock;
  openopt_owned_buffer *owned; /* one per output */
  /* The entry point's arguments, sized once: descriptor words (inputs, then
   * outputs or the returned descriptors) and pointers to them. */
  int64_t *words;
  void **args;
};

struct openopt_error {
  openopt_status status;
  char message[1024];
};

/* Stores a formatted message in *error (when error is not NULL) and returns
 * status. Never allocates through libc functions that return malloc'd
 * memory: inside a model library malloc is the compiled code's allocator. */
OPENOPT_HIDDEN openopt_status openopt_fail(openopt_error **error, openopt_status status,
                                           const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Decodes a library's metadata into `model` (its specs and strings). */
OPENOPT_HIDDEN openopt_status openopt_read_metadata(openopt_model *model,
                                                    const unsigned char *bytes, uint64_t size,
                                                    openopt_error **error);
OPENOPT_HIDDEN void openopt_free_metadata(openopt_model *model);

/* Refuses a file dlopen must not be given (not a 64-bit ELF library of this
 * machine, or cut short). */
OPENOPT_HIDDEN openopt_status openopt_check_library_file(const char *path, openopt_error **error);

/* "'input' f32[batch, 3, 224, 224]" into buffer. */
OPENOPT_HIDDEN void openopt_describe_spec(const openopt_tensor_spec *spec, char *buffer,
                                          size_t size);
/* "f32[1, 3, 224, 224]" into buffer. */
OPENOPT_HIDDEN void openopt_describe_tensor(const openopt_tensor *tensor, char *buffer,
                                            size_t size);

#endif
