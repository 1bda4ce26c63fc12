//===- BufferPool.cpp - malloc and free for compiled code -----------------===//
#include "openopt/Runtime/BufferPool.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace openopt::bufferpool {
namespace {

// Every block starts with this header (16 bytes keep malloc's alignment).
struct alignas(16) Header {
  size_t capacity; // usable bytes after the header
  size_t pooled;   // 1 when the block's capacity is a pool size class
};

// Smaller blocks are malloc's business: it keeps them in its arenas anyway.
constexpr size_t kPooledFrom = size_t(64) << 10;
constexpr size_t kGranule = size_t(64) << 10;

struct Pool {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<Header *>> freeBlocks; // by capacity
  size_t cached = 0;
  size_t limit = size_t(1) << 30;
};

Pool &pool() {
  static Pool *p = new Pool(); // never destroyed: compiled code may outlive statics
  return *p;
}

Header *headerOf(void *pointer) { return static_cast<Header *>(pointer) - 1; }

} // namespace

void *allocate(size_t bytes) {
  bool pooled = bytes >= kPooledFrom;
  size_t capacity = pooled ? (bytes + kGranule - 1) / kGranule * kGranule : bytes;
  if (pooled) {
    Pool &p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    auto it = p.freeBlocks.find(capacity);
    if (it != p.freeBlocks.end() && !it->second.empty()) {
      Header *block = it->second.back();
      it->second.pop_back();
      p.cached -= capacity;
      return block + 1;
    }
  }
  auto *block = static_cast<Header *>(std::malloc(sizeof(Header) + std::max<size_t>(capacity, 1)));
  if (!block)
    return nullptr;
  block->capacity = capacity;
  block->pooled = pooled;
  return block + 1;
}

void release(void *pointer) {
  if (!pointer)
    return;
  Header *block = headerOf(pointer);
  if (block->pooled) {
    Pool &p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.cached + block->capacity <= p.limit) {
      p.freeBlocks[block->capacity].push_back(block);
      p.cached += block->capacity;
      return;
    }
  }
  std::free(block);
}

void *reallocate(void *pointer, size_t bytes) {
  if (!pointer)
    return allocate(bytes);
  size_t old = headerOf(pointer)->capacity;
  if (bytes <= old)
    return pointer;
  void *grown = allocate(bytes);
  if (!grown)
    return nullptr;
  std::memcpy(grown, pointer, old);
  release(pointer);
  return grown;
}

size_t cachedBytes() {
  Pool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.cached;
}

void setCacheLimit(size_t bytes) {
  Pool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.limit = bytes;
  // Give back what is over the new limit.
  for (auto &[capacity, blocks] : p.freeBlocks)
    while (p.cached > p.limit && !blocks.empty()) {
      std::free(blocks.back());
      blocks.pop_back();
      p.cached -= capacity;
    }
}

} // namespace openopt::bufferpool
