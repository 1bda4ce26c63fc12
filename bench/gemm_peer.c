/*
 * gemm_peer.c - the peers of the layer suite that are not ONNX Runtime:
 *   gemm_peer sgemm N THREADS REPS   OpenBLAS cblas_sgemm on N x N x N f32, row-major, C = A B;
 *                                    prints {"n":..,"threads":..,"median_ms":..,"min_ms":..,"max_ms":..,"gflops":..}
 *   gemm_peer peak THREADS           the sustained FMA throughput of one thread, registers only
 *                                    (AVX-512 when compiled for it, else AVX2): {"isa":..,"gflops":..} per thread
 * Built by bench/compare.js (gcc -O2 -march=native ... -lopenblas); needs Debian libopenblas-dev.
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int sgemm(int n, int threads, int reps) {
  openblas_set_num_threads(threads);
  float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n);
  float *c = malloc(sizeof(float) * n * n);
  double *times = malloc(sizeof(double) * reps);
  if (!a || !b || !c || !times) {
    fprintf(stderr, "gemm_peer: out of memory for n=%d\n", n);
    return 1;
  }
  srand(1);
  for (long i = 0; i < (long)n * n; i++) {
    a[i] = rand() / (float)RAND_MAX - 0.5f;
    b[i] = rand() / (float)RAND_MAX - 0.5f;
  }
  for (int i = 0; i < 3; i++) /* warm-up: threads started, pages touched */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
  for (int i = 0; i < reps; i++) {
    double t0 = now_ms();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    times[i] = now_ms() - t0;
  }
  qsort(times, reps, sizeof(double), by_value);
  double median = times[reps / 2];
  printf("{\"n\":%d,\"threads\":%d,\"median_ms\":%.4f,\"min_ms\":%.4f,\"max_ms\":%.4f,\"gflops\":%.1f}\n",
         n, threads, median, times[0], times[reps - 1], 2.0 * n * n * n / median / 1e6);
  return 0;
}

/* Ten independent FMA chains hide the FMA latency on two pipes. */
static int peak(void) {
  const long iters = 50000000;
  double best = 0;
  for (int round = 0; round < 5; round++) {
#if defined(__AVX512F__)
    __m512 acc[10], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
    for (int i = 0; i < 10; i++) acc[i] = _mm512_set1_ps((float)i);
    double t0 = now_ms();
    for (long it = 0; it < iters; it++)
      for (int i = 0; i < 10; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
    double ms = now_ms() - t0;
    float sink = 0;
    for (int i = 0; i < 10; i++) sink += _mm512_reduce_add_ps(acc[i]);
    const int lanes = 16;
    const char *isa = "avx512";
#else
    __m256 acc[10], x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
    for (int i = 0; i < 10; i++) acc[i] = _mm256_set1_ps((float)i);
    double t0 = now_ms();
    for (long it = 0; it < iters; it++)
      for (int i = 0; i < 10; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
    double ms = now_ms() - t0;
    float tmp[8], sink = 0;
    for (int i = 0; i < 10; i++) {
      _mm256_storeu_ps(tmp, acc[i]);
      sink += tmp[0];
    }
    const int lanes = 8;
    const char *isa = "avx2";
#endif
    double gflops = 2.0 * lanes * 10 * iters / ms / 1e6;
    if (gflops > best) best = gflops;
    if (sink == 12345.0f) printf(" ");
    if (round == 4) printf("{\"isa\":\"%s\",\"gflops\":%.1f}\n", isa, best);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "sgemm")) {
    int n = atoi(argv[2]), threads = atoi(argv[3]), reps = atoi(argv[4]);
    if (n <= 0 || n > 16384 || threads <= 0 || reps <= 0 || reps > 10000) {
      fprintf(stderr, "gemm_peer: bad sgemm arguments\n");
      return 2;
    }
    return sgemm(n, threads, reps);
  }
  if (argc == 2 && !strcmp(argv[1], "peak")) return peak();
  fprintf(stderr, "usage: gemm_peer sgemm N THREADS REPS | gemm_peer peak\n");
  return 2;
}
