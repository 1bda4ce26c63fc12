/*===- metadata.c - decode what a compiled library says about its model ---===*/
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
  const unsigned char *at, *end;
  const char *failure; /* what could not be read, NULL while all is well */
  const char *why;     /* what was wrong with it, when it was read */
} reader;

static uint32_t read_u32(reader *r, const char *what) {
  if (r->failure)
    return 0;
  if ((size_t)(r->end - r->at) < 4) {
    r->failure = what;
    return 0;
  }
  uint32_t value = (uint32_t)r->at[0] | (uint32_t)r->at[1] << 8 | (uint32_t)r->at[2] << 16 |
                   (uint32_t)r->at[3] << 24;
  r->at += 4;
  return value;
}

static int64_t read_i64(reader *r, const char *what) {
  uint64_t low = read_u32(r, what);
  uint64_t high = read_u32(r, what);
  return (int64_t)(low | high << 32);
}

/* A NUL-terminated copy, or NULL (with r->failure set). */
static char *read_string(reader *r, const char *what) {
  uint32_t length = read_u32(r, what);
  if (r->failure)
    return NULL;
  if ((size_t)(r->end - r->at) < length) {
    r->failure = what;
    return NULL;
  }
  char *text = malloc((size_t)length + 1);
  if (!text) {
    r->failure = "memory for the metadata";
    return NULL;
  }
  memcpy(text, r->at, length);
  text[length] = '\0';
  r->at += length;
  return text;
}

static void free_specs(openopt_tensor_spec *specs, size_t count) {
  if (!specs)
    return;
  for (size_t i = 0; i < count; ++i) {
    free(specs[i].name);
    free(specs[i].kind);
    for (int32_t d = 0; d < OPENOPT_MAX_RANK; ++d)
      free(specs[i].dim_names[d]);
  }
  free(specs);
}

/* Reads `count` tensors; a count larger than the bytes left could hold is
 * refused before anything is allocated. */
static openopt_tensor_spec *read_specs(reader *r, size_t *count, const char *what) {
  uint32_t n = read_u32(r, what);
  if (r->failure)
    return NULL;
  /* Each tensor takes at least 12 bytes (name length, dtype, rank). */
  if ((size_t)(r->end - r->at) / 12 < n) {
    r->failure = what;
    return NULL;
  }
  openopt_tensor_spec *specs = calloc(n ? n : 1, sizeof(openopt_tensor_spec));
  if (!specs) {
    r->failure = "memory for the metadata";
    return NULL;
  }
  *count = n;
  for (uint32_t i = 0; i < n && !r->failure; ++i) {
    openopt_tensor_spec *spec = &specs[i];
    spec->name = read_string(r, what);
    spec->dtype = (openopt_dtype)read_u32(r, what);
    uint32_t rank = read_u32(r, what);
    if (r->failure)
      break;
    if (rank > OPENOPT_MAX_RANK || openopt_dtype_size(spec->dtype) == 0) {
      r->failure = what;
      r->why = rank > OPENOPT_MAX_RANK ? "a rank above the runtime's maximum" : "an unknown dtype";
      break;
    }
    spec->rank = (int32_t)rank;
    for (uint32_t d = 0; d < rank; ++d) {
      spec->shape[d] = read_i64(r, what);
      if (spec->shape[d] < -1 && !r->failure) {
        r->failure = what;
        r->why = "a negative dimension";
      }
    }
    for (uint32_t d = 0; d < rank && !r->failure; ++d)
      spec->dim_names[d] = read_string(r, what);
    if (!r->failure)
      spec->kind = read_string(r, what);
  }
  if (r->failure) {
    free_specs(specs, n);
    *count = 0;
    return NULL;
  }
  return specs;
}

openopt_status openopt_read_metadata(openopt_model *model, const unsigned char *bytes,
                                     uint64_t size, openopt_error **error) {
  if (!bytes || size < 12 || memcmp(bytes, OPENOPT_METADATA_MAGIC, 8) != 0)
    return openopt_fail(error, OPENOPT_ERROR_LOAD,
                        "the library's model metadata is missing or damaged (no '%s' header)",
                        OPENOPT_METADATA_MAGIC);
  reader r = {bytes + 8, bytes + size, NULL, NULL};
  uint32_t version = read_u32(&r, "the version");
  if (version != OPENOPT_RUNTIME_ABI_VERSION)
    return openopt_fail(error, OPENOPT_ERROR_VERSION,
                        "the model metadata has format version %u; this runtime (%s) reads "
                        "version %d",
                        version, OPENOPT_RUNTIME_VERSION, OPENOPT_RUNTIME_ABI_VERSION);
  model->name = read_string(&r, "the model name");
  model->compiler_version = read_string(&r, "the compiler version");
  model->target = read_string(&r, "the target");
  model->threads = (int32_t)read_u32(&r, "the thread count");
  uint32_t flags = read_u32(&r, "the flags");
  model->returns_outputs = (flags & OPENOPT_META_RETURNS_OUTPUTS) != 0;
  if (!r.failure)
    model->inputs = read_specs(&r, &model->num_inputs, "the inputs");
  if (!r.failure)
    model->outputs = read_specs(&r, &model->num_outputs, "the outputs");
  if (!r.failure && (model->threads < 1 || model->threads > 4096)) {
    r.failure = "the thread count";
    r.why = "a count outside 1 to 4096";
  }
  if (!r.failure && r.at != r.end) {
    r.failure = "the end";
    r.why = "bytes after the outputs";
  }
  /* Outputs the caller's buffers are sized for must have a fixed shape of a
   * size that can be counted. */
  for (size_t i = 0; !r.failure && !model->returns_outputs && i < model->num_outputs; ++i) {
    const openopt_tensor_spec *spec = &model->outputs[i];
    size_t total = openopt_dtype_size(spec->dtype);
    for (int32_t d = 0; d < spec->rank && !r.failure; ++d) {
      if (spec->shape[d] < 0 ||
          (spec->shape[d] != 0 && total > SIZE_MAX / (size_t)spec->shape[d])) {
        r.failure = "the outputs";
        r.why = "one of unknown or uncountable size, where the caller's buffers are written";
      } else {
        total *= (size_t)spec->shape[d];
      }
    }
  }
  if (r.failure) {
    openopt_free_metadata(model);
    if (r.why)
      return openopt_fail(error, OPENOPT_ERROR_LOAD,
                          "the library's model metadata is damaged (%s: %s)", r.failure, r.why);
    return openopt_fail(error, OPENOPT_ERROR_LOAD,
                        "the library's model metadata is damaged: cannot read %s", r.failure);
  }
  return OPENOPT_OK;
}

void openopt_free_metadata(openopt_model *model) {
  free(model->name);
  free(model->compiler_version);
  free(model->target);
  free_specs(model->inputs, model->num_inputs);
  free_specs(model->outputs, model->num_outputs);
  model->name = model->compiler_version = model->target = NULL;
  model->inputs = model->outputs = NULL;
  model->num_inputs = model->num_outputs = 0;
}

/* Appends to buffer[*at..size), truncating. */
static void append(char *buffer, size_t size, size_t *at, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buffer, size_t size, size_t *at, const char *format, ...) {
  if (*at >= size)
    return;
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buffer + *at, size - *at, format, args);
  va_end(args);
  if (n > 0)
    *at += (size_t)n;
}

void openopt_describe_spec(const openopt_tensor_spec *spec, char *buffer, size_t size) {
  size_t at = 0;
  buffer[0] = '\0';
  append(buffer, size, &at, "'%s' %s[", spec->name, openopt_dtype_name(spec->dtype));
  for (int32_t d = 0; d < spec->rank; ++d) {
    const char *sep = d ? ", " : "";
    if (spec->shape[d] >= 0)
      append(buffer, size, &at, "%s%lld", sep, (long long)spec->shape[d]);
    else if (spec->dim_names[d] && spec->dim_names[d][0])
      append(buffer, size, &at, "%s%s", sep, spec->dim_names[d]);
    else
      append(buffer, size, &at, "%s?", sep);
  }
  append(buffer, size, &at, "]");
}

void openopt_describe_tensor(const openopt_tensor *tensor, char *buffer, size_t size) {
  size_t at = 0;
  buffer[0] = '\0';
  append(buffer, size, &at, "%s[", openopt_dtype_name(tensor->dtype));
  int32_t rank = tensor->rank < 0 ? 0 : tensor->rank;
  if (rank > OPENOPT_MAX_RANK)
    rank = OPENOPT_MAX_RANK;
  for (int32_t d = 0; d < rank; ++d)
    append(buffer, size, &at, "%s%lld", d ? ", " : "", (long long)tensor->shape[d]);
  append(buffer, size, &at, "]");
}
