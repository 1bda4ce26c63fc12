//===- Bfloat16.cpp - float to bfloat16 for compiled code -----------------===//
#include "openopt/Runtime/Bfloat16.h"

#include <bit>
#include <cmath>
#include <cstdint>

namespace openopt {
namespace {

// The bf16 bit patterns are computed as integers and converted to __bf16 once,
// at the return: bf16 values flowing through selects or phis make LLVM
// (without AVX512-BF16) promote them to f32 and round back with a call of
// __truncsfbf2, the very function these stand in for.
uint16_t roundedBits(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  if (std::isnan(value))
    return uint16_t((bits >> 16) | 0x40); // quiet, sign kept
  // Round to nearest, ties to even: add just under half an ulp of bf16,
  // plus one when the kept part is odd.
  bits += 0x7fff + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}

uint16_t roundedBits(double value) {
  if (std::isnan(value))
    return std::signbit(value) ? 0xffc0 : 0x7fc0;
  // Rounding twice (f64 -> f32 -> bf16) can be off by one ulp; rounding to
  // f32 toward zero and marking any loss in the lowest bit ("round to odd")
  // makes the second rounding exact, as f32 keeps 16 more bits than bf16.
  float truncated = static_cast<float>(value);
  if (std::fabs(static_cast<double>(truncated)) > std::fabs(value))
    truncated = std::nextafter(truncated, 0.0f);
  uint32_t bits = std::bit_cast<uint32_t>(truncated);
  if (static_cast<double>(truncated) != value)
    bits |= 1;
  return roundedBits(std::bit_cast<float>(bits));
}

} // namespace

extern "C" __bf16 openoptTruncF32ToBF16(float value) {
  return std::bit_cast<__bf16>(roundedBits(value));
}

extern "C" __bf16 openoptTruncF64ToBF16(double value) {
  return std::bit_cast<__bf16>(roundedBits(value));
}

} // namespace openopt
