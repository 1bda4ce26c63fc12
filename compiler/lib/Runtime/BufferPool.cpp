//===- BufferPool.cpp - malloc and free for compiled code -----------------===//
#include "openopt/Runtime/BufferPool.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
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
  std::atomic<size_t> cached = 0; // here and in the threads' caches
  std::atomic<size_t> limit = size_t(1) << 30;
  // Moves with each setCacheLimit; a thread empties its cache when it sees
  // it move.
  std::atomic<uint64_t> limitChanges = 0;
};

Pool &pool() {
  static Pool *p = new Pool(); // never destroyed: compiled code may outlive statics
  return *p;
}

Header *headerOf(void *pointer) { return static_cast<Header *>(pointer) - 1; }

// A block not counted in `cached`: into the shared list while that stays
// within the limit, else back to the system.
void releaseShared(Header *block) {
  Pool &p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.cached + block->capacity <= p.limit) {
      p.freeBlocks[block->capacity].push_back(block);
      p.cached += block->capacity;
      return;
    }
  }
  std::free(block);
}

// Each thread first takes back the blocks it freed itself. A parallel loop's
// iterations allocate and free their temporaries on the thread that runs
// them; from the shared list a thread would get blocks the other core wrote
// last, and each first write to such a line takes it from that core's
// cache (on a host whose two cores do not share a last-level cache, a
// Winograd chunk's transforms took 1.3-1.5x the CPU time on two threads).
// The limit is checked without the lock when a block enters a thread's
// cache, so the threads together may pass it by a block each.
constexpr size_t kThreadCacheBytes = size_t(16) << 20;

struct ThreadCache {
  std::vector<Header *> blocks; // oldest first
  size_t bytes = 0;
  uint64_t limitChanges = 0;

  void drain() {
    Pool &p = pool();
    for (Header *block : blocks) {
      p.cached -= block->capacity;
      releaseShared(block);
    }
    blocks.clear();
    bytes = 0;
  }
  ~ThreadCache();
};

// Set once this thread's cache is destroyed (at thread exit, or at process
// exit on the main thread, before static destructors that may still free):
// from then on the shared list serves it. Trivially destructible, so it
// stays valid to the end.
thread_local bool threadCacheGone = false;

ThreadCache::~ThreadCache() {
  drain();
  threadCacheGone = true;
}

// This thread's cache, emptied if the limit changed since it last looked;
// null once destroyed.
ThreadCache *threadCache() {
  if (threadCacheGone)
    return nullptr;
  thread_local ThreadCache cache;
  uint64_t changes = pool().limitChanges;
  if (cache.limitChanges != changes) {
    cache.drain();
    cache.limitChanges = changes;
  }
  return &cache;
}

} // namespace

void *allocate(size_t bytes) {
  bool pooled = bytes >= kPooledFrom;
  size_t capacity = pooled ? (bytes + kGranule - 1) / kGranule * kGranule : bytes;
  if (pooled) {
    Pool &p = pool();
    if (ThreadCache *own = threadCache())
      for (size_t i = own->blocks.size(); i-- > 0;)
        if (own->blocks[i]->capacity == capacity) {
          Header *block = own->blocks[i];
          own->blocks.erase(own->blocks.begin() + i);
          own->bytes -= capacity;
          p.cached -= capacity;
          return block + 1;
        }
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
  if (!block->pooled) {
    std::free(block);
    return;
  }
  Pool &p = pool();
  ThreadCache *own = threadCache();
  if (!own || block->capacity > kThreadCacheBytes || p.cached + block->capacity > p.limit) {
    releaseShared(block);
    return;
  }
  // The oldest blocks make room; they go to the shared list.
  std::vector<Header *> evicted;
  while (own->bytes + block->capacity > kThreadCacheBytes) {
    evicted.push_back(own->blocks.front());
    own->bytes -= own->blocks.front()->capacity;
    own->blocks.erase(own->blocks.begin());
  }
  own->blocks.push_back(block);
  own->bytes += block->capacity;
  p.cached += block->capacity;
  for (Header *old : evicted) {
    p.cached -= old->capacity;
    releaseShared(old);
  }
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

size_t cachedBytes() { return pool().cached; }

void setCacheLimit(size_t bytes) {
  Pool &p = pool();
  // This thread's cache empties now (threadCache() sees the change); other
  // threads' on their next allocate or free.
  p.limit = bytes;
  ++p.limitChanges;
  threadCache();
  std::lock_guard<std::mutex> lock(p.mutex);
  // Give back what is over the new limit.
  for (auto &[capacity, blocks] : p.freeBlocks)
    while (p.cached > p.limit && !blocks.empty()) {
      std::free(blocks.back());
      blocks.pop_back();
      p.cached -= capacity;
    }
}

} // namespace openopt::bufferpool
