//===- KernelCache.cpp - compiled kernels by content key ------------------===//
#include "openopt/Runtime/KernelCache.h"

#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace openopt {

KernelCache::KernelCache(size_t memoryLimitBytes) : limit(memoryLimitBytes) {}

KernelCache &KernelCache::shared() {
  static KernelCache cache;
  return cache;
}

void KernelCache::setDirectory(llvm::StringRef directory) {
  std::lock_guard<std::mutex> lock(mutex);
  dir = directory.str();
}

std::string KernelCache::directory() const {
  std::lock_guard<std::mutex> lock(mutex);
  return dir;
}

size_t KernelCache::memoryBytes() const {
  std::lock_guard<std::mutex> lock(mutex);
  return bytes;
}

std::string KernelCache::pathOf(llvm::StringRef key) const {
  // Two-character fan-out keeps directories small.
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, key.take_front(2), key + ".o");
  return std::string(path);
}

void KernelCache::remember(llvm::StringRef key, Object object) {
  auto [it, inserted] = objects.try_emplace(key, object);
  if (!inserted)
    return;
  bytes += object->size();
  order.push_back(key.str());
  while (bytes > limit && order.size() > 1) {
    auto oldest = objects.find(order.front());
    bytes -= oldest->second->size();
    objects.erase(oldest);
    order.pop_front();
  }
}

KernelCache::Object KernelCache::lookup(llvm::StringRef key) {
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = objects.find(key); it != objects.end())
    return it->second;
  if (dir.empty())
    return nullptr;
  auto buffer = llvm::MemoryBuffer::getFile(pathOf(key), /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return nullptr;
  // A file that is not an object (damaged, or not ours) is a miss; the next
  // store of this key replaces it.
  auto parsed = llvm::object::ObjectFile::createObjectFile((*buffer)->getMemBufferRef());
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return nullptr;
  }
  auto object = std::make_shared<const std::string>((*buffer)->getBuffer().str());
  remember(key, object);
  return object;
}

void KernelCache::store(llvm::StringRef key, Object object) {
  std::lock_guard<std::mutex> lock(mutex);
  remember(key, object);
  if (dir.empty())
    return;
  std::string path = pathOf(key);
  if (llvm::sys::fs::create_directories(llvm::sys::path::parent_path(path)))
    return;
  // Written under a unique name and renamed: a reader in another process
  // sees the whole object or none.
  llvm::SmallString<256> temporary;
  int fd;
  if (llvm::sys::fs::createUniqueFile(path + ".%%%%%%.tmp", fd, temporary))
    return;
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << *object;
    out.flush();
    if (out.has_error()) {
      out.clear_error();
      llvm::sys::fs::remove(temporary);
      return;
    }
  }
  if (llvm::sys::fs::rename(temporary, path))
    llvm::sys::fs::remove(temporary);
}

} // namespace openopt
