//===- ReadPool.cpp -------------------------------------------------------===//
#include "ReadPool.h"

#include <spdlog/spdlog.h>

using namespace openopt::lsp;

ReadPool::ReadPool(unsigned count) {
  for (unsigned i = 0; i < std::max(1u, count); ++i)
    threads.emplace_back([this] {
      std::unique_lock lock(mutex);
      while (true) {
        wake.wait(lock, [&] { return stopping || !tasks.empty(); });
        if (tasks.empty())
          return; // stopping, and nothing left to answer
        auto task = std::move(tasks.front());
        tasks.pop_front();
        lock.unlock();
        try {
          task();
        } catch (const std::exception &e) {
          spdlog::error("read task failed: {}", e.what());
        }
        lock.lock();
      }
    });
}

ReadPool::~ReadPool() {
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &thread : threads)
    thread.join();
}

void ReadPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex);
    tasks.push_back(std::move(task));
  }
  wake.notify_one();
}
