//===- Subprocess.h - run the compiler in a child process ------*- C++ -*-===//
//
// Jobs run `openopt` in a child process: a crash or an out-of-memory in the
// compiler cannot take the daemon down, and cancellation, the time limit and
// the memory limit (RLIMIT_AS) are real: the child's process group is killed.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_SUBPROCESS_H
#define OPENOPT_SERVER_SUBPROCESS_H

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace openopt::server {

struct SubprocessOptions {
  std::string workingDirectory;
  uint64_t memoryBytes = 0; // RLIMIT_AS; 0 = unlimited
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool> *cancelled = nullptr;
  size_t maxOutputBytes = 16 << 20; // per stream; more is dropped
};

struct SubprocessResult {
  enum class Ending { Exited, Signalled, Cancelled, TimedOut, FailedToStart } ending;
  int exitCode = -1;
  int signal = 0;
  std::string out, err;
  bool ok() const { return ending == Ending::Exited && exitCode == 0; }
  /// What happened, in words, with the end of stderr.
  std::string describe(const std::string &what) const;
};

/// Runs `argv` (argv[0] is the executable's path) to completion.
SubprocessResult runSubprocess(const std::vector<std::string> &argv,
                               const SubprocessOptions &options);

} // namespace openopt::server

#endif
