/*===- describe_and_run.c - open any model library by path and run it -----===*
 *
 *   cc describe_and_run.c -I runtime/include -L build/lib -lopenopt_runtime \
 *      -Wl,-rpath,build/lib -o describe_and_run
 *   ./describe_and_run out/libresnet18.so
 *
 * Prints the model's inputs and outputs, runs it once on inputs of ones (a
 * dimension known only at run time gets 1), and prints the first values of
 * each output. The example of docs/deploying.md; a test runs it.
 *===----------------------------------------------------------------------===*/
#include "openopt/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, openopt_error *error) {
  fprintf(stderr, "%s: %s (%s)\n", what, openopt_error_message(error),
          openopt_status_name(openopt_error_status(error)));
  openopt_error_free(error);
  return 1;
}

static void print_info(const char *role, size_t index, const openopt_tensor_info *info) {
  printf("%s %zu: %s %s[", role, index, info->name, openopt_dtype_name(info->dtype));
  for (int32_t d = 0; d < info->rank; ++d) {
    if (info->shape[d] >= 0)
      printf("%s%lld", d ? ", " : "", (long long)info->shape[d]);
    else
      printf("%s%s", d ? ", " : "", info->dim_names[d][0] ? info->dim_names[d] : "?");
  }
  printf("]\n");
}

/* One element of value 1 in `dtype`, into `out`. */
static void one(openopt_dtype dtype, unsigned char *out) {
  switch (dtype) {
  case OPENOPT_F32: { float v = 1; memcpy(out, &v, 4); break; }
  case OPENOPT_F64: { double v = 1; memcpy(out, &v, 8); break; }
  case OPENOPT_F16: out[0] = 0x00; out[1] = 0x3c; break;
  case OPENOPT_BF16: out[0] = 0x80; out[1] = 0x3f; break;
  default: memset(out, 0, openopt_dtype_size(dtype)); out[0] = 1; break; /* integers, bool */
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s libMODEL.so\n", argv[0]);
    return 2;
  }
  openopt_error *error = NULL;
  openopt_model *model = NULL;
  if (openopt_model_open(argv[1], &model, &error) != OPENOPT_OK)
    return fail("open", error);
  printf("model %s, compiled by %s for %s, %d thread(s)\n", openopt_model_name(model),
         openopt_model_compiler_version(model), openopt_model_target(model),
         openopt_model_threads(model));

  size_t num_inputs = openopt_model_input_count(model);
  size_t num_outputs = openopt_model_output_count(model);
  openopt_tensor *inputs = calloc(num_inputs + 1, sizeof(openopt_tensor));
  openopt_tensor *outputs = calloc(num_outputs + 1, sizeof(openopt_tensor)); /* data NULL: the
                                                                                 session's buffers */
  for (size_t i = 0; i < num_inputs; ++i) {
    openopt_tensor_info info;
    if (openopt_model_input_info(model, i, &info, &error) != OPENOPT_OK)
      return fail("input info", error);
    print_info("input", i, &info);
    openopt_tensor *t = &inputs[i];
    t->dtype = info.dtype;
    t->rank = info.rank;
    size_t elements = 1;
    for (int32_t d = 0; d < info.rank; ++d) {
      t->shape[d] = info.shape[d] >= 0 ? info.shape[d] : 1;
      elements *= (size_t)t->shape[d];
    }
    size_t size = openopt_dtype_size(info.dtype);
    t->bytes = elements * size;
    t->data = malloc(t->bytes ? t->bytes : 1);
    for (size_t e = 0; e < elements; ++e)
      one(info.dtype, (unsigned char *)t->data + e * size);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    openopt_tensor_info info;
    if (openopt_model_output_info(model, i, &info, &error) != OPENOPT_OK)
      return fail("output info", error);
    print_info("output", i, &info);
  }

  openopt_session *session = NULL;
  if (openopt_session_create(model, NULL, &session, &error) != OPENOPT_OK)
    return fail("session", error);
  if (openopt_session_run(session, inputs, num_inputs, outputs, num_outputs, &error) != OPENOPT_OK)
    return fail("run", error);
  for (size_t i = 0; i < num_outputs; ++i) {
    const openopt_tensor *t = &outputs[i];
    printf("output %zu:", i);
    size_t count = t->bytes / openopt_dtype_size(t->dtype);
    for (size_t e = 0; e < count && e < 4; ++e) {
      if (t->dtype == OPENOPT_F32)
        printf(" %g", ((const float *)t->data)[e]);
      else if (t->dtype == OPENOPT_I64)
        printf(" %lld", (long long)((const int64_t *)t->data)[e]);
      else
        printf(" (%s)", openopt_dtype_name(t->dtype));
    }
    printf("%s\n", count > 4 ? " ..." : "");
  }
  for (size_t i = 0; i < num_inputs; ++i)
    free(inputs[i].data);
  free(inputs);
  free(outputs);
  openopt_session_destroy(session);
  openopt_model_close(model);
  return 0;
}
