//===- KernelCache.h - compiled kernels by content key ---------*- C++ -*-===//
//
// Object code of kernels, found by a key that hashes everything the code
// depends on: the kernel's IR, the back half of the pipeline with its
// options, the target and the compiler build. Kept in memory (bounded,
// oldest out first) and, when a directory is set, on disk, so that other
// processes (the daemon's workers, later runs of the CLI) reuse it.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RUNTIME_KERNELCACHE_H
#define OPENOPT_RUNTIME_KERNELCACHE_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace openopt {

class KernelCache {
public:
  using Object = std::shared_ptr<const std::string>;

  explicit KernelCache(size_t memoryLimitBytes = size_t(256) << 20);

  /// The cache every compile in this process uses unless told otherwise.
  static KernelCache &shared();

  /// Also keep objects in `directory` (created if missing); empty: memory only.
  void setDirectory(llvm::StringRef directory);
  std::string directory() const;

  /// The object stored under `key`, from memory or disk; null if none.
  Object lookup(llvm::StringRef key);
  /// Stores `object` under `key`. A disk write that fails is not an error:
  /// the cache only saves time.
  void store(llvm::StringRef key, Object object);

  size_t memoryBytes() const;

private:
  void remember(llvm::StringRef key, Object object);
  std::string pathOf(llvm::StringRef key) const;

  mutable std::mutex mutex;
  size_t limit;
  size_t bytes = 0;
  std::string dir;
  llvm::StringMap<Object> objects;
  std::deque<std::string> order; // oldest first
};

} // namespace openopt

#endif
