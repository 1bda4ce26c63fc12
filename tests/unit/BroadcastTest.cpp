//===- BroadcastTest.cpp - ONNX shape rules --------------------------------===//
#include "openopt/Dialect/NN/ShapeUtils.h"

#include <gtest/gtest.h>

using namespace openopt::nn;
constexpr int64_t kDyn = mlir::ShapedType::kDynamic;

TEST(Broadcast, AlignsOnTheRight) {
  auto r = broadcastShapes({2, 3, 4}, {4});
  ASSERT_TRUE(mlir::succeeded(r));
  EXPECT_EQ(*r, (llvm::SmallVector<int64_t>{2, 3, 4}));
}

TEST(Broadcast, OnesStretch) {
  auto r = broadcastShapes({1, 3, 1}, {5, 1, 7});
  ASSERT_TRUE(mlir::succeeded(r));
  EXPECT_EQ(*r, (llvm::SmallVector<int64_t>{5, 3, 7}));
}

TEST(Broadcast, MismatchFails) {
  EXPECT_TRUE(mlir::failed(broadcastShapes({2, 3}, {4, 3, 2})));
}

TEST(Broadcast, DynamicDimsStaySymbolicOrTakeTheStaticSide) {
  auto r = broadcastShapes({kDyn, 3}, {1, 3});
  ASSERT_TRUE(mlir::succeeded(r));
  EXPECT_EQ((*r)[0], kDyn);
  auto s = broadcastShapes({kDyn, 3}, {8, 3});
  ASSERT_TRUE(mlir::succeeded(s));
  EXPECT_EQ((*s)[0], 8);
}

TEST(Axis, NormalizesNegativeAndRejectsOutOfRange) {
  EXPECT_EQ(normalizeAxis(-1, 4), 3);
  EXPECT_EQ(normalizeAxis(0, 4), 0);
  EXPECT_FALSE(normalizeAxis(4, 4).has_value());
  EXPECT_FALSE(normalizeAxis(-5, 4).has_value());
}

TEST(Shape, FormatsDynamicDims) {
  EXPECT_EQ(formatShape({1, kDyn, 3}), "[1, ?, 3]");
  EXPECT_FALSE(staticElementCount({2, kDyn}).has_value());
  EXPECT_EQ(staticElementCount({2, 3, 4}), 24);
}
