// Calls the model of compile-link.mlir as compiled by `openopt compile`:
// each 4x4 memref is passed as its descriptor's fields (allocated and aligned
// pointers, offset, sizes, strides), the output as an out-parameter. Prints
// the largest difference from tanh(x w) w computed here.
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define MEMREF(p) float *, float *, int64_t, int64_t, int64_t, int64_t, int64_t
void model(MEMREF(x), MEMREF(w), MEMREF(out));
#define ARGS(p) p, p, 0, 4, 4, 4, 1

static void matmul(const float *a, const float *b, float *c) {
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      float s = 0;
      for (int k = 0; k < 4; ++k)
        s += a[i * 4 + k] * b[k * 4 + j];
      c[i * 4 + j] = s;
    }
}

int main(void) {
  float x[16], w[16], out[16], t[16], expected[16];
  for (int i = 0; i < 16; ++i) {
    x[i] = 0.1f * (float)(i % 7) - 0.3f;
    w[i] = 0.05f * (float)(i % 5) - 0.1f;
  }
  model(ARGS(x), ARGS(w), ARGS(out));
  matmul(x, w, t);
  for (int i = 0; i < 16; ++i)
    t[i] = tanhf(t[i]);
  matmul(t, w, expected);
  double error = 0;
  for (int i = 0; i < 16; ++i)
    error = fmax(error, fabs((double)out[i] - expected[i]));
  printf("max error %g: %s\n", error, error < 1e-5 ? "ok" : "WRONG");
  return error < 1e-5 ? 0 : 1;
}
