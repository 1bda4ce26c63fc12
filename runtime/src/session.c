/*===- session.c - sessions and runs --------------------------------------===*/
#include "internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 64-byte aligned buffers (what the compiled code's vector loads like), from
 * malloc so that they come from the same allocator as everything else here. */
static void *aligned_buffer(size_t bytes) {
  unsigned char *raw = malloc(bytes + 64 + sizeof(void *));
  if (!raw)
    return NULL;
  uintptr_t start = ((uintptr_t)(raw + sizeof(void *)) + 63) & ~(uintptr_t)63;
  ((void **)start)[-1] = raw;
  return (void *)start;
}

static void free_aligned_buffer(void *buffer) {
  if (buffer)
    free(((void **)buffer)[-1]);
}

/* Each OpenMP thread on a CPU of its own, unless the user chose a binding
 * (OMP_PLACES, OMP_PROC_BIND, KMP_AFFINITY): unbound, a process's first
 * ~30 ms of parallel regions ran 3-4x slower on 2-vCPU hosts (the JIT does
 * the same, compiler/lib/Runtime/CompiledModel.cpp). libomp reads these at
 * its first parallel region, which comes after a session exists. */
static pthread_once_t pin_once = PTHREAD_ONCE_INIT;

static void pin_openmp_threads(void) {
  if (getenv("OMP_PLACES") || getenv("OMP_PROC_BIND") || getenv("KMP_AFFINITY"))
    return;
  setenv("OMP_PLACES", "threads", 0);
  setenv("OMP_PROC_BIND", "spread", 0);
}

openopt_status openopt_session_create(openopt_model *model,
                                      const openopt_session_options *options,
                                      openopt_session **session, openopt_error **error) {
  if (session)
    *session = NULL;
  if (!model || !session)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT, "openopt_session_create: %s is NULL",
                        model ? "the session out-pointer" : "model");
  int32_t threads = options ? options->threads : 0;
  if (threads < 0 || threads > model->threads)
    return openopt_fail(error, OPENOPT_ERROR_INVALID_ARGUMENT,
                        "a session of model '%s' may use 1 to %d threads (0: all of them), not "
                        "%d: it was compiled for %d",
                        model->name, model->threads, threads, model->threads);
  openopt_session *s = calloc(1, sizeof(openopt_session));
  if (!s)
    return openopt_fail(error, OPENOPT_ERROR_OUT_OF_MEMORY, "out of memory creating a session");
  s->model = model;
  s->threads = threads ? threads : model->threads;
  size_t num_words = 0;
  for (size_t i = 0; i < model->num_inputs; ++i)
    num_words += 3 + 2 * (size_t)model->inputs[i].rank;
  for (size_t i = 0; i < model->num_outputs; ++i)
    num_words += 3 + 2 * (size_t)model->outputs[i].rank;
  s->owned = calloc(model->num_outputs ? model->num_outputs : 1, sizeof(openopt_owned_buffer));
  s->words = malloc((num_words + 1) * sizeof(int64_t));
  s->args = malloc((num_words + 1) * sizeof(void *));
  s->arena = s->owned && s->words && s->args ? model->library->arena_create(model->library) : NULL;
  if (!s->arena) {
    free(s->owned);
    free(s->words);
    free(s->args);
    free(s);
    return openopt_fail(error, OPENOPT_ERROR_OUT_OF_MEMORY, "out of memory creating a session");
  }
  pthread_mutex_init(&s->lock, NULL);
  if (s->threads > 1)
    pthread_once(&pin_once, pin_openmp_threads);
  *session = s;
  return OPENOPT_OK;
}

void openopt_session_destroy(openopt_session *session) {
  if (!session)
    return;
  for (size_t i = 0; i < session->model->num_outputs; ++i)
    free_aligned_buffer(session->owned[i].data);
  free(session->owned);
  free(session->words);
  free(session->args);
  session->model->library->arena_destroy(session->model->library, session->arena);
  pthread_mutex_destroy(&session->lock);
  free(session);
}

/* Elements of a shape, or false when that overflows. */
static bool count_elements(const int64_t *shape, int32_t rank, size_t element_size,
                           size_t *bytes) {
  size_t total = element_size;
  for (int32_t d = 0; d < rank; ++d) {
    if (shape[d] < 0)
      return false;
    if (shape[d] != 0 && total > SIZE_MAX / (size_t)shape[d])
      return false;
    total *= (size_t)shape[d];
  }
  *bytes = total;
  return true;
}

/* The message of a failed input check: "input I 'name' f32[batch, 4]: " and
 * the rest; the descriptions are formatted only when a check fails. */
static openopt_status input_error(openopt_error **error, openopt_status status,
                                  const openopt_tensor_spec *spec, size_t index,
                                  const char *format, ...) __attribute__((format(printf, 5, 6)));
static openopt_status input_error(openopt_error **error, openopt_status status,
                                  const openopt_tensor_spec *spec, size_t index,
                                  const char *format, ...) {
  char expected[256], detail[512];
  openopt_describe_spec(spec, expected, sizeof(expected));
  va_list args;
  va_start(args, format);
  vsnprintf(detail, sizeof(detail), format, args);
  va_end(args);
  return openopt_fail(error, status, "input %zu %s: %s", index, expected, detail);
}

static openopt_status check_input(const openopt_model *model, size_t index,
                                  const openopt_tensor *t, const openopt_tensor *all,
                                  openopt_error **error) {
  const openopt_tensor_spec *spec = &model->inputs[index];
  char given[256];
  if (t->dtype != spec->dtype)
    return input_error(error, OPENOPT_ERROR_DTYPE, spec, index, "expects %s, got %s (%d)",
                       openopt_dtype_name(spec->dtype), openopt_dtype_name(t->dtype),
                       (int)t->dtype);
  if (t->rank != spec->rank)
    return input_error(error, OPENOPT_ERROR_SHAPE, spec, index,
                       "expects rank %d, got a tensor of rank %d", spec->rank, t->rank);
  for (int32_t d = 0; d < spec->rank; ++d) {
    if (t->shape[d] < 0) {
      openopt_describe_tensor(t, given, sizeof(given));
      return input_error(error, OPENOPT_ERROR_SHAPE, spec, index,
                         "dimension %d is negative (%s)", d, given);
    }
    if (spec->shape[d] >= 0 && spec->shape[d] != t->shape[d]) {
      openopt_describe_tensor(t, given, sizeof(given));
      return input_error(error, OPENOPT_ERROR_SHAPE, spec, index,
                         "dimension %d is fixed to %lld by the model, got %lld (%s)", d,
                         (long long)spec->shape[d], (long long)t->shape[d], given);
    }
  }
  /* A named dimension has one size across the inputs. */
  for (int32_t d = 0; d < spec->rank; ++d) {
    const char *symbol = spec->dim_names[d];
    if (spec->shape[d] >= 0 || !symbol || !symbol[0])
      continue;
    for (size_t j = 0; j < index; ++j) {
      const openopt_tensor_spec *other = &model->inputs[j];
      for (int32_t e = 0; e < other->rank; ++e)
        if (other->shape[e] < 0 && other->dim_names[e] && strcmp(other->dim_names[e], symbol) == 0 &&
            all[j].shape[e] != t->shape[d])
          return openopt_fail(error, OPENOPT_ERROR_SHAPE,
                              "dimension '%s' is %lld in input '%s' but %lld in input '%s'",
                              symbol, (long long)all[j].shape[e], other->name,
                              (long long)t->shape[d], spec->name);
    }
  }
  size_t bytes;
  if (!count_elements(t->shape, t->rank, openopt_dtype_size(t->dtype), &bytes)) {
    openopt_describe_tensor(t, given, sizeof(given));
    return input_error(error, OPENOPT_ERROR_SHAPE, spec, index, "%s is too large", given);
  }
  if (t->bytes < bytes) {
    openopt_describe_tensor(t, given, sizeof(given));
    return input_error(error, OPENOPT_ERROR_BUFFER_TOO_SMALL, spec, index,
                       "%s needs %zu bytes, the buffer has %zu", given, bytes, t->bytes);
  }
  if (!t->data && bytes)
    return input_error(error, OPENOPT_ERROR_NULL_ARGUMENT, spec, index, "data is NULL");
  return OPENOPT_OK;
}

/* The fields of one memref descriptor as the packed entry point takes them:
 * allocated and aligned pointers, offset, sizes, strides (row-major). */
static int64_t *append_descriptor(int64_t *words, void *data, const int64_t *shape,
                                  int32_t rank) {
  *words++ = (int64_t)(intptr_t)data;
  *words++ = (int64_t)(intptr_t)data;
  *words++ = 0;
  for (int32_t d = 0; d < rank; ++d)
    *words++ = shape[d];
  int64_t stride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    words[d] = stride;
    stride *= shape[d];
  }
  return words + rank;
}

/* Copies a returned (possibly strided) buffer into a dense one. */
static void copy_strided(char *dst, const char *src, size_t element, const int64_t *sizes,
                         const int64_t *strides, int32_t rank) {
  if (rank == 0) {
    memcpy(dst, src, element);
    return;
  }
  size_t inner = element;
  for (int32_t d = 1; d < rank; ++d)
    inner *= (size_t)sizes[d];
  if (rank == 1 && strides[0] == 1) {
    memcpy(dst, src, (size_t)sizes[0] * element);
    return;
  }
  for (int64_t i = 0; i < sizes[0]; ++i)
    copy_strided(dst + (size_t)i * inner, src + i * strides[0] * (int64_t)element, element,
                 sizes + 1, strides + 1, rank - 1);
}

/* The buffer output `index` goes to: the caller's (checked against `bytes`)
 * or the session's own (grown to `bytes`). */
static openopt_status output_buffer(openopt_session *session, size_t index, openopt_tensor *t,
                                    size_t bytes, void **data, openopt_error **error) {
  if (t->data) {
    if (t->bytes < bytes) {
      char expected[256];
      openopt_describe_spec(&session->model->outputs[index], expected, sizeof(expected));
      size_t given = t->bytes;
      t->bytes = bytes;
      return openopt_fail(error, OPENOPT_ERROR_BUFFER_TOO_SMALL,
                          "output %zu %s needs %zu bytes, the buffer has %zu", index, expected,
                          bytes, given);
    }
    *data = t->data;
    return OPENOPT_OK;
  }
  openopt_owned_buffer *owned = &session->owned[index];
  if (owned->capacity < bytes || !owned->data) {
    free_aligned_buffer(owned->data);
    owned->data = aligned_buffer(bytes ? bytes : 1);
    owned->capacity = owned->data ? bytes : 0;
    if (!owned->data)
      return openopt_fail(error, OPENOPT_ERROR_OUT_OF_MEMORY,
                          "out of memory for output %zu ('%s', %zu bytes)", index,
                          session->model->outputs[index].name, bytes);
  }
  *data = owned->data;
  return OPENOPT_OK;
}

static void describe_output(openopt_tensor *t, const openopt_tensor_spec *spec,
                            const int64_t *shape, void *data, size_t bytes) {
  t->dtype = spec->dtype;
  t->rank = spec->rank;
  memset(t->shape, 0, sizeof(t->shape));
  for (int32_t d = 0; d < spec->rank; ++d)
    t->shape[d] = shape[d];
  t->data = data;
  t->bytes = bytes;
}

static openopt_status run_locked(openopt_session *session, const openopt_tensor *inputs,
                                 openopt_tensor *outputs, openopt_error **error) {
  const openopt_model *model = session->model;
  size_t num_words = 0, num_results = 0;
  for (size_t i = 0; i < model->num_inputs; ++i)
    num_words += 3 + 2 * (size_t)model->inputs[i].rank;
  for (size_t i = 0; i < model->num_outputs; ++i)
    *(model->returns_outputs ? &num_results : &num_words) += 3 + 2 * (size_t)model->outputs[i].rank;
  int64_t *words = session->words;
  void **args = session->args;
  int64_t *results = words + num_words;
  int64_t *at = words;
  for (size_t i = 0; i < model->num_inputs; ++i)
    at = append_descriptor(at, inputs[i].data, inputs[i].shape, inputs[i].rank);
  openopt_status status = OPENOPT_OK;
  if (!model->returns_outputs)
    for (size_t i = 0; i < model->num_outputs && status == OPENOPT_OK; ++i) {
      const openopt_tensor_spec *spec = &model->outputs[i];
      size_t bytes = 0;
      void *data = NULL;
      count_elements(spec->shape, spec->rank, openopt_dtype_size(spec->dtype), &bytes);
      status = output_buffer(session, i, &outputs[i], bytes, &data, error);
      if (status == OPENOPT_OK) {
        describe_output(&outputs[i], spec, spec->shape, data, bytes);
        at = append_descriptor(at, data, spec->shape, spec->rank);
      }
    }
  if (status != OPENOPT_OK)
    return status;
  for (size_t w = 0; w < num_words; ++w)
    args[w] = &words[w];
  args[num_words] = results;

  char message[1024];
  int failed = model->library->call(model->library, model->library->entry, args, session->arena,
                                    session->threads, message, sizeof(message));
  if (failed)
    return openopt_fail(error, failed == 2 ? OPENOPT_ERROR_DEVICE : OPENOPT_ERROR_RUN,
                        "model '%s': %s", model->name, message);
  if (model->returns_outputs) {
    /* Each output is the callee's own allocation (it clones any result it
     * does not own); each is freed once, after every output is copied. */
    const int64_t *r = results;
    for (size_t i = 0; i < model->num_outputs; ++i) {
      const openopt_tensor_spec *spec = &model->outputs[i];
      const char *aligned = (const char *)(intptr_t)r[1];
      const int64_t *sizes = r + 3, *strides = r + 3 + spec->rank;
      size_t element = openopt_dtype_size(spec->dtype), bytes = 0;
      void *data = NULL;
      if (status == OPENOPT_OK && !count_elements(sizes, spec->rank, element, &bytes))
        status = openopt_fail(error, OPENOPT_ERROR_RUN, "output '%s' came back with a bad shape",
                              spec->name);
      if (status == OPENOPT_OK) {
        status = output_buffer(session, i, &outputs[i], bytes, &data, error);
        if (status == OPENOPT_OK) {
          if (bytes)
            copy_strided(data, aligned + r[2] * (int64_t)element, element, sizes, strides,
                         spec->rank);
          describe_output(&outputs[i], spec, sizes, data, bytes);
        } else {
          describe_output(&outputs[i], spec, sizes, outputs[i].data, outputs[i].bytes);
        }
      }
      r += 3 + 2 * spec->rank;
    }
    /* The allocated pointers are the descriptors' first words; free each
     * distinct one. */
    r = results;
    for (size_t i = 0; i < model->num_outputs; ++i) {
      void *allocated = (void *)(intptr_t)r[0];
      bool seen = false;
      const int64_t *q = results;
      for (size_t j = 0; j < i && !seen; ++j) {
        seen = (void *)(intptr_t)q[0] == allocated;
        q += 3 + 2 * model->outputs[j].rank;
      }
      if (allocated && !seen)
        model->library->release(model->library, allocated);
      r += 3 + 2 * model->outputs[i].rank;
    }
  }
  return status;
}

openopt_status openopt_session_run(openopt_session *session, const openopt_tensor *inputs,
                                   size_t num_inputs, openopt_tensor *outputs,
                                   size_t num_outputs, openopt_error **error) {
  if (!session)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT, "openopt_session_run: session is NULL");
  const openopt_model *model = session->model;
  if (num_inputs != model->num_inputs)
    return openopt_fail(error, OPENOPT_ERROR_INVALID_ARGUMENT,
                        "model '%s' takes %zu inputs, got %zu", model->name, model->num_inputs,
                        num_inputs);
  if (num_outputs != model->num_outputs)
    return openopt_fail(error, OPENOPT_ERROR_INVALID_ARGUMENT,
                        "model '%s' has %zu outputs, got room for %zu", model->name,
                        model->num_outputs, num_outputs);
  if (!inputs && num_inputs)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT, "openopt_session_run: inputs is NULL");
  if (!outputs && num_outputs)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT,
                        "openopt_session_run: outputs is NULL");
  for (size_t i = 0; i < num_inputs; ++i) {
    openopt_status status = check_input(model, i, &inputs[i], inputs, error);
    if (status != OPENOPT_OK)
      return status;
  }
  pthread_mutex_lock(&session->lock);
  openopt_status status = run_locked(session, inputs, outputs, error);
  pthread_mutex_unlock(&session->lock);
  return status;
}

/* The library's kernel-timing functions, where it has them (a library built
 * before them, or a CPU model's, has none). */
static bool has_kernel_timing(const openopt_model_library *library) {
  return library->size >= offsetof(openopt_model_library, kernel_times) +
                              sizeof(library->kernel_times) &&
         library->set_profiling && library->kernel_times;
}

openopt_status openopt_session_set_profiling(openopt_session *session, int enabled,
                                             openopt_error **error) {
  if (!session)
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT,
                        "openopt_session_set_profiling: session is NULL");
  const openopt_model_library *library = session->model->library;
  if (!has_kernel_timing(library))
    return openopt_fail(error, OPENOPT_ERROR_INVALID_ARGUMENT,
                        "model '%s' runs on the CPU (%s): it has no GPU kernels to time; profile "
                        "it with `openopt profile`",
                        session->model->name, session->model->target);
  pthread_mutex_lock(&session->lock);
  library->set_profiling(library, session->arena, enabled != 0);
  pthread_mutex_unlock(&session->lock);
  return OPENOPT_OK;
}

openopt_status openopt_session_kernel_times(openopt_session *session, openopt_kernel_time *times,
                                            size_t capacity, size_t *count,
                                            openopt_error **error) {
  if (!session || !count || (capacity && !times))
    return openopt_fail(error, OPENOPT_ERROR_NULL_ARGUMENT,
                        "openopt_session_kernel_times: session and count (and times, with a "
                        "capacity) must be given");
  const openopt_model_library *library = session->model->library;
  if (!has_kernel_timing(library))
    return openopt_fail(error, OPENOPT_ERROR_INVALID_ARGUMENT,
                        "model '%s' runs on the CPU (%s): it has no GPU kernel times",
                        session->model->name, session->model->target);
  pthread_mutex_lock(&session->lock);
  *count = library->kernel_times(library, session->arena, times, capacity);
  pthread_mutex_unlock(&session->lock);
  return OPENOPT_OK;
}
