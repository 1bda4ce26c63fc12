/*===- openopt/code_support.h - what compiled models call ----------------===*
 *
 * Functions the compiled code calls besides libc and libm, in one
 * implementation for both ways a model runs: model libraries link them (the
 * code's names, memrefCopy and __truncsfbf2, are bound to them at link time),
 * and the compiler's JIT binds the same names to these. Not for applications.
 *===----------------------------------------------------------------------===*/
#ifndef OPENOPT_CODE_SUPPORT_H
#define OPENOPT_CODE_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OPENOPT_CODE_SUPPORT __attribute__((visibility("hidden")))

/* MLIR's unranked memref as compiled code passes it: the rank, and a ranked
 * descriptor (allocated, aligned, offset, sizes[rank], strides[rank]). */
typedef struct openopt_unranked_memref {
  int64_t rank;
  void *descriptor;
} openopt_unranked_memref;

/* memrefCopy: a strided copy between two memrefs of one shape. */
OPENOPT_CODE_SUPPORT void openopt_memref_copy(int64_t element_bytes,
                                              openopt_unranked_memref *source,
                                              openopt_unranked_memref *destination);

/* __truncsfbf2 and __truncdfbf2 (compiler-rt's, which is not linked): round
 * to nearest even, NaN stays NaN. */
OPENOPT_CODE_SUPPORT __bf16 openopt_trunc_f32_bf16(float value);
OPENOPT_CODE_SUPPORT __bf16 openopt_trunc_f64_bf16(double value);

/* The hook of the code's run-time checks: never returns; unwinds to the
 * openopt_checked_call running on this thread (aborts outside one). */
OPENOPT_CODE_SUPPORT __attribute__((noreturn)) void openopt_runtime_fail(const char *message);

/* Calls entry(args), catching failed run-time checks: 0, or 1 with the
 * check's message in `message`. Memory the run had allocated before the
 * failure is the caller's to reclaim. */
OPENOPT_CODE_SUPPORT int openopt_checked_call(void (*entry)(void **), void **args, char *message,
                                              size_t message_size);

#ifdef __cplusplus
}
#endif

#endif /* OPENOPT_CODE_SUPPORT_H */
