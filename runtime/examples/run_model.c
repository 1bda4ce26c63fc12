/*===- run_model.c - run a model library from C, as an application would --===*
 *
 * Built per model against its header (tests and benchmarks build it with
 *   cc -DMODEL_HEADER='"NAME.h"' -DMODEL_OPEN=NAME_open run_model.c -I DIR -L DIR -lNAME):
 *
 *   run_model [--open-by-path LIB] [--threads N] [--iterations N] [--warmup N]
 *             IN_DIR OUT_DIR
 *
 * reads each input from IN_DIR/<name>.npy (names sanitised as in
 * tests/e2e/tensor_files.py), runs the model, writes each output to
 * OUT_DIR/<name>.npy, and prints one JSON line with the run times in ms.
 * --open-by-path opens LIB with openopt_model_open instead of the linked
 * library. Exit status 1 with the runtime's message on any error.
 *===----------------------------------------------------------------------===*/
#include MODEL_HEADER

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void fail(const char *what, openopt_error *error) {
  fprintf(stderr, "error: %s: %s\n", what, openopt_error_message(error));
  openopt_error_free(error);
  exit(1);
}

static void die(const char *message, const char *detail) {
  fprintf(stderr, "error: %s%s%s\n", message, detail ? ": " : "", detail ? detail : "");
  exit(1);
}

static void sanitized_path(char *out, size_t size, const char *dir, const char *name) {
  char clean[512];
  size_t i = 0;
  for (; name[i] && i + 1 < sizeof(clean); ++i)
    clean[i] = (isalnum((unsigned char)name[i]) || strchr("_.-", name[i])) ? name[i] : '_';
  clean[i] = '\0';
  snprintf(out, size, "%s/%s.npy", dir, clean);
}

static const char *npy_descr(openopt_dtype dtype) {
  switch (dtype) {
  case OPENOPT_F16: return "<f2";
  case OPENOPT_BF16: return "<V2"; /* numpy has no bfloat16 */
  case OPENOPT_F32: return "<f4";
  case OPENOPT_F64: return "<f8";
  case OPENOPT_I8: return "|i1";
  case OPENOPT_I16: return "<i2";
  case OPENOPT_I32: return "<i4";
  case OPENOPT_I64: return "<i8";
  case OPENOPT_U8: return "|u1";
  case OPENOPT_U16: return "<u2";
  case OPENOPT_U32: return "<u4";
  case OPENOPT_U64: return "<u8";
  case OPENOPT_BOOL: return "|b1";
  }
  return "?";
}

/* A C-order .npy file into `t` (dtype checked against `want`). */
static void read_npy(const char *path, openopt_dtype want, openopt_tensor *t) {
  FILE *f = fopen(path, "rb");
  if (!f)
    die("cannot open", path);
  unsigned char magic[10];
  if (fread(magic, 1, 10, f) != 10 || memcmp(magic, "\x93NUMPY", 6) != 0)
    die("not a .npy file", path);
  size_t header_len = magic[8] | (size_t)magic[9] << 8;
  if (magic[6] >= 2) {
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2)
      die("truncated .npy header", path);
    header_len |= (size_t)more[0] << 16 | (size_t)more[1] << 24;
  }
  char *header = calloc(1, header_len + 1);
  if (!header || fread(header, 1, header_len, f) != header_len)
    die("truncated .npy header", path);
  char expected[16];
  snprintf(expected, sizeof(expected), "'%s'", npy_descr(want));
  const char *descr = strstr(header, "'descr':");
  if (!descr || !strstr(descr, expected))
    die("unexpected dtype (want a C-order array of the model's dtype)", path);
  if (strstr(header, "'fortran_order': True"))
    die("Fortran-order arrays are not read", path);
  const char *shape = strstr(header, "'shape': (");
  if (!shape)
    die("no shape in .npy header", path);
  shape += strlen("'shape': (");
  memset(t, 0, sizeof(*t));
  t->dtype = want;
  size_t elements = 1;
  while (*shape && *shape != ')') {
    while (*shape == ' ' || *shape == ',')
      ++shape;
    if (*shape == ')')
      break;
    if (t->rank == OPENOPT_MAX_RANK)
      die("too many dimensions", path);
    t->shape[t->rank] = strtoll(shape, (char **)&shape, 10);
    elements *= (size_t)t->shape[t->rank++];
  }
  free(header);
  t->bytes = elements * openopt_dtype_size(want);
  t->data = malloc(t->bytes ? t->bytes : 1);
  if (!t->data || fread(t->data, 1, t->bytes, f) != t->bytes)
    die("truncated .npy data", path);
  fclose(f);
}

static void write_npy(const char *path, const openopt_tensor *t) {
  char header[1024];
  int n = snprintf(header, sizeof(header), "{'descr': '%s', 'fortran_order': False, 'shape': (",
                   npy_descr(t->dtype));
  for (int32_t d = 0; d < t->rank; ++d)
    n += snprintf(header + n, sizeof(header) - (size_t)n, "%lld,%s", (long long)t->shape[d],
                  d + 1 < t->rank ? " " : "");
  n += snprintf(header + n, sizeof(header) - (size_t)n, "), }");
  /* Padded with spaces and a newline to a multiple of 64 bytes. */
  size_t total = ((size_t)n + 10 + 1 + 63) / 64 * 64;
  size_t pad = total - 10 - (size_t)n;
  FILE *f = fopen(path, "wb");
  if (!f)
    die("cannot write", path);
  unsigned char magic[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                             (unsigned char)((total - 10) & 0xff),
                             (unsigned char)((total - 10) >> 8)};
  fwrite(magic, 1, 10, f);
  fwrite(header, 1, (size_t)n, f);
  for (size_t i = 0; i + 1 < pad; ++i)
    fputc(' ', f);
  fputc('\n', f);
  if (fwrite(t->data, 1, t->bytes, f) != t->bytes)
    die("cannot write", path);
  fclose(f);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const char *by_path = NULL, *in_dir = NULL, *out_dir = NULL;
  int threads = 0, iterations = 1, warmup = 0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--open-by-path") && i + 1 < argc)
      by_path = argv[++i];
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
      iterations = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--warmup") && i + 1 < argc)
      warmup = atoi(argv[++i]);
    else if (!in_dir)
      in_dir = argv[i];
    else if (!out_dir)
      out_dir = argv[i];
    else
      die("unexpected argument", argv[i]);
  }
  if (!in_dir || !out_dir || iterations < 1)
    die("usage: run_model [--open-by-path LIB] [--threads N] [--iterations N] [--warmup N] "
        "IN_DIR OUT_DIR",
        NULL);

  openopt_error *error = NULL;
  openopt_model *model;
  double open_start = now_ms();
  if ((by_path ? openopt_model_open(by_path, &model, &error) : MODEL_OPEN(&model, &error)) !=
      OPENOPT_OK)
    fail("open", error);
  double open_ms = now_ms() - open_start;
  openopt_session_options options = {threads};
  openopt_session *session;
  if (openopt_session_create(model, &options, &session, &error) != OPENOPT_OK)
    fail("session", error);

  size_t num_inputs = openopt_model_input_count(model);
  size_t num_outputs = openopt_model_output_count(model);
  openopt_tensor *inputs = calloc(num_inputs + 1, sizeof(openopt_tensor));
  openopt_tensor *outputs = calloc(num_outputs + 1, sizeof(openopt_tensor));
  for (size_t i = 0; i < num_inputs; ++i) {
    openopt_tensor_info info;
    if (openopt_model_input_info(model, i, &info, &error) != OPENOPT_OK)
      fail("input info", error);
    char path[1024];
    sanitized_path(path, sizeof(path), in_dir, info.name);
    read_npy(path, info.dtype, &inputs[i]);
  }
  double *times = calloc((size_t)iterations, sizeof(double));
  for (int i = 0; i < warmup + iterations; ++i) {
    double start = now_ms();
    if (openopt_session_run(session, inputs, num_inputs, outputs, num_outputs, &error) !=
        OPENOPT_OK)
      fail("run", error);
    if (i >= warmup)
      times[i - warmup] = now_ms() - start;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    openopt_tensor_info info;
    if (openopt_model_output_info(model, i, &info, &error) != OPENOPT_OK)
      fail("output info", error);
    char path[1024];
    sanitized_path(path, sizeof(path), out_dir, info.name);
    write_npy(path, &outputs[i]);
  }
  qsort(times, (size_t)iterations, sizeof(double), compare_doubles);
  printf("{\"model\": \"%s\", \"openMs\": %.3f, \"iterations\": %d, \"medianMs\": %.4f, "
         "\"minMs\": %.4f, \"maxMs\": %.4f}\n",
         openopt_model_name(model), open_ms, iterations, times[iterations / 2], times[0],
         times[iterations - 1]);
  for (size_t i = 0; i < num_inputs; ++i)
    free(inputs[i].data);
  free(inputs);
  free(outputs);
  free(times);
  openopt_session_destroy(session);
  openopt_model_close(model);
  return 0;
}
