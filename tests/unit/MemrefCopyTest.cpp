//===- MemrefCopyTest.cpp - memrefCopy of the JIT and model libraries ----===//
#include "openopt/code_support.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>


namespace {

// A ranked descriptor laid out as the lowered code passes it.
template <int Rank>
struct Descriptor {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];
};

template <int Rank>
void copy(Descriptor<Rank> &from, Descriptor<Rank> &to) {
  openopt_unranked_memref source{Rank, &from}, destination{Rank, &to};
  openopt_memref_copy(sizeof(float), &source, &destination);
}

TEST(MemrefCopy, TransposedSourceIntoContiguousDestination) {
  std::vector<float> input(6);
  std::iota(input.begin(), input.end(), 0.0f); // [2, 3] row-major
  std::vector<float> output(6, -1.0f);
  // The source read as its transpose: [3, 2] with strides [1, 3].
  Descriptor<2> from{input.data(), input.data(), 0, {3, 2}, {1, 3}};
  Descriptor<2> to{output.data(), output.data(), 0, {3, 2}, {2, 1}};
  copy(from, to);
  EXPECT_EQ(output, (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(MemrefCopy, SubviewWithOffsetIntoStridedDestination) {
  std::vector<float> input(16);
  std::iota(input.begin(), input.end(), 0.0f); // [4, 4]
  std::vector<float> output(12, -1.0f);        // [2, 6], written in columns 1..2 and 4
  // input[1:3, 1:4] -> output viewed as [2, 3] with strides [6, 2], offset 0.
  Descriptor<2> from{input.data(), input.data(), 5, {2, 3}, {4, 1}};
  Descriptor<2> to{output.data(), output.data(), 0, {2, 3}, {6, 2}};
  copy(from, to);
  EXPECT_EQ(output, (std::vector<float>{5, -1, 6, -1, 7, -1, 9, -1, 10, -1, 11, -1}));
}

TEST(MemrefCopy, RankZeroAndEmpty) {
  float a = 3.5f, b = 0.0f;
  Descriptor<1> scalarFrom{&a, &a, 0, {1}, {1}}, scalarTo{&b, &b, 0, {1}, {1}};
  openopt_unranked_memref source{0, &scalarFrom}, destination{0, &scalarTo};
  openopt_memref_copy(sizeof(float), &source, &destination);
  EXPECT_EQ(b, 3.5f);

  float untouched = 7.0f;
  Descriptor<2> emptyFrom{&a, &a, 0, {0, 4}, {4, 1}}, emptyTo{&untouched, &untouched, 0, {0, 4}, {4, 1}};
  copy(emptyFrom, emptyTo);
  EXPECT_EQ(untouched, 7.0f);
}

TEST(MemrefCopy, RankFiveWithAReversedAxis) {
  // [2, 1, 2, 1, 3]; the last axis read backwards (negative stride).
  std::vector<float> input(12);
  std::iota(input.begin(), input.end(), 0.0f);
  std::vector<float> output(12, -1.0f);
  Descriptor<5> from{input.data(), input.data(), 2, {2, 1, 2, 1, 3}, {6, 6, 3, 3, -1}};
  Descriptor<5> to{output.data(), output.data(), 0, {2, 1, 2, 1, 3}, {6, 6, 3, 3, 1}};
  copy(from, to);
  EXPECT_EQ(output, (std::vector<float>{2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9}));
}

} // namespace
