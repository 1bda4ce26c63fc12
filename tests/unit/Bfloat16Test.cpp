//===- Bfloat16Test.cpp - float to bfloat16 of the JIT and model libraries ===//
#include "openopt/code_support.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>


namespace {

uint16_t bitsOf(__bf16 value) { return std::bit_cast<uint16_t>(value); }

TEST(Bfloat16, F32RoundsToNearestEven) {
  EXPECT_EQ(bitsOf(openopt_trunc_f32_bf16(1.0f)), 0x3f80);
  EXPECT_EQ(bitsOf(openopt_trunc_f32_bf16(-2.0f)), 0xc000);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even 1.
  EXPECT_EQ(bitsOf(openopt_trunc_f32_bf16(1.0f + 0x1p-8f)), 0x3f80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6: up.
  EXPECT_EQ(bitsOf(openopt_trunc_f32_bf16(1.0f + 3 * 0x1p-8f)), 0x3f82);
  // Just above halfway rounds up.
  EXPECT_EQ(bitsOf(openopt_trunc_f32_bf16(1.0f + 0x1p-8f + 0x1p-20f)), 0x3f81);
  EXPECT_EQ(bitsOf(openopt_trunc_f32_bf16(std::numeric_limits<float>::max())), 0x7f80);
  EXPECT_EQ(bitsOf(openopt_trunc_f32_bf16(-std::numeric_limits<float>::infinity())), 0xff80);
}

TEST(Bfloat16, NaNsStayNaN) {
  // A NaN whose payload lies only in the dropped bits must not become inf.
  float quietless = std::bit_cast<float>(uint32_t(0x7f800001));
  uint16_t bits = bitsOf(openopt_trunc_f32_bf16(quietless));
  EXPECT_EQ(bits & 0x7f80, 0x7f80);
  EXPECT_NE(bits & 0x7f, 0);
  uint16_t fromDouble = bitsOf(openopt_trunc_f64_bf16(-std::nan("")));
  EXPECT_EQ(fromDouble, 0xffc0);
}

TEST(Bfloat16, F64RoundsOnceNotTwice) {
  // 1 + 2^-8 + 2^-30 is above halfway, so bf16 rounds it up; rounding it to
  // f32 first would drop the 2^-30 and make it a tie that goes down.
  double value = 1.0 + 0x1p-8 + 0x1p-30;
  EXPECT_EQ(bitsOf(openopt_trunc_f64_bf16(value)), 0x3f81);
  EXPECT_EQ(bitsOf(openopt_trunc_f64_bf16(1.0 + 0x1p-8)), 0x3f80);
  EXPECT_EQ(bitsOf(openopt_trunc_f64_bf16(-3.0)), 0xc040);
  EXPECT_EQ(bitsOf(openopt_trunc_f64_bf16(1e300)), 0x7f80);
  EXPECT_EQ(bitsOf(openopt_trunc_f64_bf16(1e-300)), 0x0000);
}

} // namespace
