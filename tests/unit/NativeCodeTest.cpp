//===- NativeCodeTest.cpp - the target the compiled code is generated for --===//
//
// The host target's features as the recipe's width asks: "avx2" takes
// AVX-512 away; on an AVX-512 host the default (and 512) also turns off
// LLVM's preference for 256-bit vectors, so that the loops LLVM vectorizes
// itself use the full width. Checked on the feature string the kernel cache
// keys its objects by.
//
//===----------------------------------------------------------------------===//
#include "openopt/Runtime/NativeCode.h"
#include "openopt/Support/VectorBits.h"

#include <gtest/gtest.h>

using namespace openopt;

namespace {

std::string featuresFor(int vectorBits) {
  auto builder = hostTargetBuilder(vectorBits);
  if (!builder) {
    ADD_FAILURE() << llvm::toString(builder.takeError());
    return "";
  }
  return builder->getFeatures().getString();
}

TEST(NativeCodeTest, AvxTwoTakesAvx512Away) {
  std::string features = featuresFor(256);
  EXPECT_NE(features.find("-avx512f"), std::string::npos) << features;
  EXPECT_EQ(features.find("-prefer-256-bit"), std::string::npos) << features;
}

TEST(NativeCodeTest, Avx512HostsVectorizeAtFullWidth) {
  if (resolveVectorBits(0) < 512)
    GTEST_SKIP() << "this host has no AVX-512";
  for (int bits : {0, 512}) {
    std::string features = featuresFor(bits);
    EXPECT_NE(features.find("-prefer-256-bit"), std::string::npos) << bits << ": " << features;
    EXPECT_NE(features.find("+avx512f"), std::string::npos) << bits << ": " << features;
  }
}

} // namespace
