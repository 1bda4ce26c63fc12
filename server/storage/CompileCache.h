//===- CompileCache.h - compile results by content hash --------*- C++ -*-===//
//
// Two levels, both keyed by content hashes that include the compiler version:
//   cache key = H(graph key, code-generation pipeline, outputs, target)
//               -> a finished compile (served whole: a "hit");
//   graph key = H(model, graph-pass pipeline, compiler version)
//               -> the IR after the graph passes and their pass record (a
//               compile that changes only code generation reuses them).
// SQLite holds every entry; an LRU in memory, bounded in bytes, holds recent
// entries and artifact blobs so hits do not touch the database.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_COMPILECACHE_H
#define OPENOPT_SERVER_COMPILECACHE_H

#include "Metrics.h"
#include "storage/Storage.h"

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace openopt::server {

/// A least-recently-used map from string keys to shared values, bounded by
/// the byte sizes its callers give.
template <typename Value> class LruCache {
public:
  explicit LruCache(size_t maxBytes) : maxBytes(maxBytes) {}

  std::shared_ptr<const Value> get(const std::string &key) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = index.find(key);
    if (it == index.end())
      return nullptr;
    order.splice(order.begin(), order, it->second);
    return it->second->value;
  }

  void put(const std::string &key, std::shared_ptr<const Value> value, size_t bytes) {
    if (bytes > maxBytes / 4)
      return; // one entry may not evict most of the others
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = index.find(key); it != index.end()) {
      usedBytes -= it->second->bytes;
      order.erase(it->second);
      index.erase(it);
    }
    order.push_front({key, std::move(value), bytes});
    index[key] = order.begin();
    usedBytes += bytes;
    while (usedBytes > maxBytes && !order.empty()) {
      usedBytes -= order.back().bytes;
      index.erase(order.back().key);
      order.pop_back();
    }
  }

  size_t bytes() {
    std::lock_guard<std::mutex> lock(mutex);
    return usedBytes;
  }

private:
  struct Node {
    std::string key;
    std::shared_ptr<const Value> value;
    size_t bytes;
  };
  std::mutex mutex;
  std::list<Node> order;
  std::unordered_map<std::string, typename std::list<Node>::iterator> index;
  size_t maxBytes, usedBytes = 0;
};

class CompileCache {
public:
  CompileCache(Storage &storage, size_t memoryBytes)
      : storage(storage), blobs(memoryBytes * 3 / 4), entries(memoryBytes / 4) {}

  /// A finished compile with this cache key (memory, then SQLite).
  std::optional<CompileRow> findCompile(const std::string &cacheKey);
  void rememberCompile(const CompileRow &row);

  std::optional<GraphCacheRow> findGraph(const std::string &graphKey);
  void rememberGraph(const GraphCacheRow &row);

  /// Stores `bytes` (content-addressed) and keeps them in memory.
  std::string storeArtifact(std::string_view bytes, const std::string &mediaType);
  std::shared_ptr<const Artifact> artifact(const std::string &hash);
  /// {hash, bytes, mediaType} of a stored artifact, as API results show it.
  json artifactRef(const std::string &hash);

private:
  Storage &storage;
  LruCache<Artifact> blobs;
  LruCache<json> entries; // "c:" cache key -> compile row, "g:" graph key -> graph row
};

} // namespace openopt::server

#endif
