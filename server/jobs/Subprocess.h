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

/// A child that keeps running and talks over pipes (the language server).
struct InteractiveChild {
  int pid = -1;
  int stdinFd = -1;  // write end, non-blocking
  int stdoutFd = -1; // read end, non-blocking
};

/// Starts `argv` with pipes on stdin/stdout (stderr is the daemon's), in its
/// own process group, with `memoryBytes` of address space (0: unlimited).
/// Returns pid -1 and sets `error` when it cannot start.
InteractiveChild startInteractive(const std::vector<std::string> &argv, uint64_t memoryBytes,
                                  std::string &error);
/// Ends an interactive child: SIGTERM to its group, SIGKILL after a grace
/// period, and reaps it, without blocking the caller.
void endInteractive(int pid);
/// Non-blocking: the child's exit description once it has ended (and is
/// reaped), or empty while it runs.
std::string interactiveEnding(int pid);

} // namespace openopt::server

#endif
