/*===- bfloat16.c - float to bfloat16 for compiled code -------------------===*
 *
 * What compiler-rt would provide (__truncsfbf2, __truncdfbf2): a model
 * library links no compiler runtime. Bit patterns are computed as integers
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

OPENOPT_HIDDEN __bf16 __truncsfbf2(float value) { return as_bf16(rounded_bits(value)); }

OPENOPT_HIDDEN __bf16 __truncdfbf2(double value) {
  if (isnan(value))
    return as_bf16(signbit(value) ? 0xffc0 : 0x7fc0);
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
  return as_bf16(rounded_bits(marked));
}
