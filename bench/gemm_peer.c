/*
 * gemm_peer.c - the peers of the layer suite that are not ONNX Runtime:
 *   gemm_peer sgemm N THREADS REPS   OpenBLAS cblas_sgemm on N x N x N f32, row-major, C = A B;
 *                                    prints {"n":..,"threads":..,"median_ms":..,"min_ms":..,"max_ms":..,"gflops":..}
 *   gemm_peer peak THREADS           the sustained FMA throughput of one thread, registers only
 *                                    (AVX-512 when compiled for it, else AVX2): {"isa":..,"gflops":..} per thread
 *   gemm_peer handoff                the round trip of a cache line between two threads pinned to the first two
 *                                    CPUs this process may use (what handing data to the other core costs, per
 *                                    line): {"round_trip_ns":..}, null when there are not two CPUs to pin to
 * Built by bench/layers.js (gcc -O3 -march=native -pthread ... -lopenblas); needs Debian libopenblas-dev.
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
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

// Two threads pass a counter back and forth through one cache line. On a
// host whose two CPUs share a last-level cache this is tens of
// nanoseconds; across chiplets (or hosts that place the vCPUs there) several
// hundred, and every line one thread writes and the other reads costs that.
enum { kHandoffRounds = 200000 };
static _Atomic int handoffFlag __attribute__((aligned(64)));

static int pinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static int partnerCpu;
static _Atomic int partnerPinned; // 1 pinned, -1 could not

static void *handoffPartner(void *unused) {
  (void)unused;
  if (pinTo(partnerCpu) != 0) {
    atomic_store(&partnerPinned, -1);
    return NULL;
  }
  atomic_store(&partnerPinned, 1);
  for (int i = 0; i < kHandoffRounds; i++) {
    while (atomic_load_explicit(&handoffFlag, memory_order_acquire) != 2 * i + 1) {
    }
    atomic_store_explicit(&handoffFlag, 2 * i + 2, memory_order_release);
  }
  return NULL;
}

static int handoff(void) {
  // The first two CPUs this process may run on (a container may allow
  // fewer than the host has): two threads spinning on one CPU would wait a
  // scheduler slice per round.
  cpu_set_t allowed;
  int cpus[2], found = 0;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
    for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
      if (CPU_ISSET(c, &allowed))
        cpus[found++] = c;
  if (found < 2 || pinTo(cpus[0]) != 0) {
    printf("{\"round_trip_ns\":null}\n");
    return 0;
  }
  partnerCpu = cpus[1];
  pthread_t partner;
  if (pthread_create(&partner, NULL, handoffPartner, NULL) != 0) {
    fprintf(stderr, "gemm_peer: cannot start the second thread\n");
    return 1;
  }
  while (atomic_load(&partnerPinned) == 0) {
  }
  if (atomic_load(&partnerPinned) < 0) {
    pthread_join(partner, NULL);
    printf("{\"round_trip_ns\":null}\n");
    return 0;
  }
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int i = 0; i < kHandoffRounds; i++) {
    atomic_store_explicit(&handoffFlag, 2 * i + 1, memory_order_release);
    while (atomic_load_explicit(&handoffFlag, memory_order_acquire) != 2 * i + 2) {
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  pthread_join(partner, NULL);
  double ns = ((end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec)) / kHandoffRounds;
  printf("{\"cpus\":[%d,%d],\"round_trip_ns\":%.1f}\n", cpus[0], cpus[1], ns);
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
  if (argc == 2 && !strcmp(argv[1], "handoff")) return handoff();
  fprintf(stderr, "usage: gemm_peer sgemm N THREADS REPS | gemm_peer peak | gemm_peer handoff\n");
  return 2;
}
