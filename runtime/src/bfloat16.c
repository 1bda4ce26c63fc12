/*===- bfloat16.c - float to bfloat16 for compiled code -------------------===*
 *
 * What compiler-rt would provide (__truncsfbf2, __truncdfbf2): neither a
 * model library nor the JIT links a compiler runtime. Bit patterns are computed as integers
 * and converted to __bf16 once, at the return.
 *===----------------------------------------------------------------------===*/
#include "code_support.h"

#include <math.h>
#include <string.h>

static uint16_t rounded_bits(float value) {
  uint32_t bits;
  memcpy(&bits, &value, 4);
  if (isnan(value))
    return (uint16_t)((bits >> 16) | 0x40); /* quiet, sign kept */
  /* Round to nearest, ties to even. */
  bits += 0x7fff + ((bits >> 16) & 1);
  return (uint16_t)(bits >> 16);
}

static __bf16 as_bf16(uint16_t bits) {
  __bf16 value;
  memcpy(&value, &bits, 2);
  return value;
}

static uint16_t rounded_bits_of_double(double value) {
  if (isnan(value))
    return signbit(value) ? 0xffc0 : 0x7fc0;
  /* f64 -> f32 toward zero with any loss marked in the lowest bit ("round
   * to odd") makes the second rounding exact. */
  float truncated = (float)value;
  if (fabs((double)truncated) > fabs(value))
    truncated = nextafterf(truncated, 0.0f);
  uint32_t bits;
  memcpy(&bits, &truncated, 4);
  if ((double)truncated != value)
    bits |= 1;
  float marked;
  memcpy(&marked, &bits, 4);
  return rounded_bits(marked);
}

/* One conversion to __bf16 per function, at its only return: bf16 values
 * meeting in a phi would make LLVM (without AVX512-BF16) round them through
 * __truncsfbf2, the very function these stand in for. */
__bf16 openopt_trunc_f32_bf16(float value) { return as_bf16(rounded_bits(value)); }

__bf16 openopt_trunc_f64_bf16(double value) { return as_bf16(rounded_bits_of_double(value)); }
