//===- PageMemory.cpp - large buffers on whole pages -----------------------===//
#include "openopt/Support/PageMemory.h"

#include <cstdint>
#include <mutex>
#include <new>

#include <sys/mman.h>

namespace openopt {

namespace {

constexpr size_t kPage = size_t(4) << 10;
constexpr size_t kHugePage = size_t(2) << 20;
// Below this the heap is as good (and glibc maps large blocks itself).
constexpr size_t kMappedMinimum = size_t(256) << 10;
// Buffers between kMappedMinimum and a huge page share mappings this large.
constexpr size_t kChunk = size_t(32) << 20;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14; older kernels answer EINVAL
#endif

size_t roundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

std::shared_ptr<char> fromHeap(size_t bytes) {
  char *data = static_cast<char *>(::operator new(bytes ? bytes : 1, std::align_val_t(64),
                                                  std::nothrow));
  if (!data)
    return nullptr;
  return std::shared_ptr<char>(data, [](char *p) { ::operator delete(p, std::align_val_t(64)); });
}

/// Faults in [data, data + bytes) by one call instead of a fault per page.
/// A hint: without MADV_POPULATE_WRITE the pages fault in when touched.
void populate(char *data, size_t bytes) {
  uintptr_t start = reinterpret_cast<uintptr_t>(data) / kPage * kPage;
  uintptr_t end = roundUp(reinterpret_cast<uintptr_t>(data) + bytes, kPage);
  madvise(reinterpret_cast<void *>(start), end - start, MADV_POPULATE_WRITE);
}

/// A mapping of whole 4 KiB pages starting on a 2 MiB boundary, asking for
/// huge pages: the 2 MiB pieces get them, the tail small pages (nothing is
/// rounded up to 2 MiB and wasted). Null if the mapping fails.
std::shared_ptr<char> mapPages(size_t bytes) {
  size_t length = roundUp(bytes, kPage);
  // Map one huge page more and trim, so that the start is 2 MiB aligned.
  size_t mapped = length + kHugePage;
  void *base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    return nullptr;
  uintptr_t start = roundUp(reinterpret_cast<uintptr_t>(base), kHugePage);
  size_t head = start - reinterpret_cast<uintptr_t>(base);
  if (head)
    munmap(base, head);
  if (size_t tail = mapped - head - length)
    munmap(reinterpret_cast<char *>(start + length), tail);
  char *data = reinterpret_cast<char *>(start);
  madvise(data, length, MADV_HUGEPAGE); // a hint, like populate()
  return std::shared_ptr<char>(data, [length](char *p) { munmap(p, length); });
}

/// Mid-sized buffers: on small pages each would fault page by page (and in
/// these VMs a 4 KiB page costs a trip through the hypervisor even after it
/// is populated), while a mapping of its own would round it up to a huge
/// page. They are cut from shared chunks instead; a chunk goes when the last
/// buffer cut from it does (the current one stays for the next buffers).
std::shared_ptr<char> fromChunk(size_t bytes) {
  static std::mutex mutex;
  static std::shared_ptr<char> chunk;
  static size_t used = kChunk;
  std::lock_guard<std::mutex> lock(mutex);
  size_t size = roundUp(bytes, 64);
  if (!chunk || used + size > kChunk) {
    chunk = mapPages(kChunk);
    used = 0;
    if (!chunk)
      return fromHeap(bytes);
  }
  char *data = chunk.get() + used;
  used += size;
  populate(data, bytes);
  return std::shared_ptr<char>(chunk, data);
}

} // namespace

std::shared_ptr<char> allocatePages(size_t bytes) {
  if (bytes < kMappedMinimum)
    return fromHeap(bytes);
  if (bytes < kHugePage)
    return fromChunk(bytes);
  std::shared_ptr<char> memory = mapPages(bytes);
  if (!memory)
    return fromHeap(bytes);
  populate(memory.get(), bytes);
  return memory;
}

} // namespace openopt
