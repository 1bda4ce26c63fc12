//===- ReadPool.h - threads that answer read requests ----------*- C++ -*-===//
#ifndef OPENOPT_LSP_READPOOL_H
#define OPENOPT_LSP_READPOOL_H

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace openopt::lsp {

/// A few threads running queued reads in order; reads are short (they
/// only look at a finished analysis), so a small fixed pool suffices.
class ReadPool {
public:
  explicit ReadPool(unsigned threads);
  ~ReadPool();
  void post(std::function<void()> task);

private:
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> tasks;
  bool stopping = false;
  std::vector<std::thread> threads;
};

} // namespace openopt::lsp

#endif // OPENOPT_LSP_READPOOL_H
