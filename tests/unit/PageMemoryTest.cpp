//===- PageMemoryTest.cpp - large buffers on whole pages -------------------===//
//
// allocatePages hands out writable memory of the size asked, aligned for
// vector loads: from the heap when small, cut from shared mappings when
// mid-sized, from a 2 MiB aligned mapping when large. Every byte is usable,
// buffers do not overlap, and memory goes back when the last pointer does.
//
//===----------------------------------------------------------------------===//
#include "openopt/Support/PageMemory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

using namespace openopt;

namespace {

TEST(PageMemoryTest, EverySizeIsWritableAndAligned) {
  for (size_t bytes : {size_t(0), size_t(100), size_t(300) << 10, (size_t(3) << 20) + 5,
                       size_t(8) << 20}) {
    std::shared_ptr<char> memory = allocatePages(bytes);
    ASSERT_TRUE(memory) << bytes << " bytes";
    uintptr_t at = reinterpret_cast<uintptr_t>(memory.get());
    EXPECT_EQ(at % 64, 0u) << bytes << " bytes";
    if (bytes >= (size_t(2) << 20))
      EXPECT_EQ(at % (size_t(2) << 20), 0u) << bytes << " bytes come from a mapping";
    std::memset(memory.get(), 0xab, bytes);
    if (bytes) {
      EXPECT_EQ(static_cast<unsigned char>(memory.get()[0]), 0xabu);
      EXPECT_EQ(static_cast<unsigned char>(memory.get()[bytes - 1]), 0xabu);
    }
  }
}

// Mid-sized buffers are cut from shared mappings: they must not overlap.
TEST(PageMemoryTest, MidSizedBuffersDoNotOverlap) {
  constexpr size_t kBytes = size_t(700) << 10;
  std::vector<std::shared_ptr<char>> buffers;
  for (int i = 0; i < 60; ++i) { // more than one 32 MiB chunk
    buffers.push_back(allocatePages(kBytes));
    ASSERT_TRUE(buffers.back());
    std::memset(buffers.back().get(), i, kBytes);
  }
  for (int i = 0; i < 60; ++i) {
    EXPECT_EQ(buffers[i].get()[0], static_cast<char>(i));
    EXPECT_EQ(buffers[i].get()[kBytes - 1], static_cast<char>(i));
  }
}

TEST(PageMemoryTest, CopiesShareTheMemoryUntilTheLastGoes) {
  std::shared_ptr<char> copy;
  {
    std::shared_ptr<char> memory = allocatePages(size_t(4) << 20);
    ASSERT_TRUE(memory);
    std::memset(memory.get(), 7, size_t(4) << 20);
    copy = memory;
  }
  EXPECT_EQ(copy.get()[(size_t(4) << 20) - 1], 7);
  EXPECT_EQ(copy.use_count(), 1);
}

} // namespace
