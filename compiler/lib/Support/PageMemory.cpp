//===- PageMemory.cpp - large buffers on whole pages -----------------------===//
#include "openopt/Support/PageMemory.h"

#include <cstdint>
#include <new>

#include <sys/mman.h>

namespace openopt {

namespace {

constexpr size_t kHugePage = size_t(2) << 20;
// Below this the heap is as good (and glibc maps large blocks itself).
constexpr size_t kMappedMinimum = size_t(256) << 10;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14; older kernels answer EINVAL
#endif

std::shared_ptr<char> fromHeap(size_t bytes) {
  char *data = static_cast<char *>(::operator new(bytes ? bytes : 1, std::align_val_t(64),
                                                  std::nothrow));
  if (!data)
    return nullptr;
  return std::shared_ptr<char>(data, [](char *p) { ::operator delete(p, std::align_val_t(64)); });
}

} // namespace

std::shared_ptr<char> allocatePages(size_t bytes) {
  if (bytes < kMappedMinimum)
    return fromHeap(bytes);
  size_t length = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  // Map one huge page more and trim, so that the start is 2 MiB aligned.
  size_t mapped = length + kHugePage;
  void *base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    return fromHeap(bytes);
  uintptr_t start = (reinterpret_cast<uintptr_t>(base) + kHugePage - 1) & ~(kHugePage - 1);
  size_t head = start - reinterpret_cast<uintptr_t>(base);
  if (head)
    munmap(base, head);
  if (size_t tail = mapped - head - length)
    munmap(reinterpret_cast<char *>(start + length), tail);
  char *data = reinterpret_cast<char *>(start);
  // Both are hints: without huge pages or MADV_POPULATE_WRITE the memory
  // works the same, only faulted in page by page.
  madvise(data, length, MADV_HUGEPAGE);
  madvise(data, length, MADV_POPULATE_WRITE);
  return std::shared_ptr<char>(data, [length](char *p) { munmap(p, length); });
}

} // namespace openopt
