//===- Subprocess.cpp - fork/exec with limits, pipes and a kill switch ----===//
#include "jobs/Subprocess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace openopt::server {
namespace {

void closeInheritedDescriptors() {
  // Sockets and the database must not leak into the compiler.
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
    return;
#endif
  for (int fd = 3; fd < 4096; ++fd)
    close(fd);
}

void drain(int fd, std::string &into, size_t limit, bool &open) {
  char buffer[65536];
  ssize_t n = read(fd, buffer, sizeof(buffer));
  if (n > 0) {
    size_t room = into.size() < limit ? limit - into.size() : 0;
    into.append(buffer, std::min<size_t>(room, size_t(n)));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    open = false;
  }
}

/// In the forked child: its own process group, dies with the daemon, no
/// inherited descriptors, the memory limit, then exec. Only async-signal-safe
/// calls; does not return.
[[noreturn]] void execInChild(char *const *args, uint64_t memoryBytes, const char *workingDirectory) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL); // a killed daemon leaves no compiler running
  closeInheritedDescriptors();
  if (memoryBytes) {
    rlimit limit{memoryBytes, memoryBytes};
    setrlimit(RLIMIT_AS, &limit);
  }
  if (workingDirectory && *workingDirectory && chdir(workingDirectory) != 0)
    _exit(126);
  execv(args[0], args);
  const char message[] = "exec failed\n";
  (void)!write(2, message, sizeof(message) - 1);
  _exit(127);
}

} // namespace

std::string SubprocessResult::describe(const std::string &what) const {
  std::string tail = err.size() > 4000 ? "..." + err.substr(err.size() - 4000) : err;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' '))
    tail.pop_back();
  switch (ending) {
  case Ending::Exited:
    return what + (exitCode == 0 ? " succeeded" : " failed") +
           (tail.empty() ? "" : ":\n" + tail);
  case Ending::Signalled:
    return what + " crashed (signal " + std::to_string(signal) + ", " + strsignal(signal) + ")" +
           (tail.empty() ? "" : ":\n" + tail);
  case Ending::Cancelled:
    return what + " was cancelled";
  case Ending::TimedOut:
    return what + " exceeded the job time limit";
  case Ending::FailedToStart:
    return what + " could not start: " + tail;
  }
  return what;
}

SubprocessResult runSubprocess(const std::vector<std::string> &argv,
                               const SubprocessOptions &options) {
  SubprocessResult result{SubprocessResult::Ending::FailedToStart};
  std::vector<char *> args;
  for (const std::string &arg : argv)
    args.push_back(const_cast<char *>(arg.c_str()));
  args.push_back(nullptr);

  int outPipe[2], errPipe[2];
  if (pipe2(outPipe, O_CLOEXEC) != 0) {
    result.err = std::strerror(errno);
    return result;
  }
  if (pipe2(errPipe, O_CLOEXEC) != 0) {
    result.err = std::strerror(errno);
    close(outPipe[0]);
    close(outPipe[1]);
    return result;
  }
  pid_t pid = fork();
  if (pid < 0) {
    result.err = std::strerror(errno);
    for (int fd : {outPipe[0], outPipe[1], errPipe[0], errPipe[1]})
      close(fd);
    return result;
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    dup2(outPipe[1], 1);
    dup2(errPipe[1], 2);
    int devNull = open("/dev/null", O_RDONLY);
    if (devNull >= 0)
      dup2(devNull, 0);
    execInChild(args.data(), options.memoryBytes, options.workingDirectory.c_str());
  }
  setpgid(pid, pid); // also here: no window where a kill misses the group
  close(outPipe[1]);
  close(errPipe[1]);
  fcntl(outPipe[0], F_SETFL, O_NONBLOCK);
  fcntl(errPipe[0], F_SETFL, O_NONBLOCK);

  bool outOpen = true, errOpen = true;
  SubprocessResult::Ending forced = SubprocessResult::Ending::Exited;
  while (outOpen || errOpen) {
    pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
    poll(fds, 2, 50);
    if (fds[0].revents)
      drain(outPipe[0], result.out, options.maxOutputBytes, outOpen);
    if (fds[1].revents)
      drain(errPipe[0], result.err, options.maxOutputBytes, errOpen);
    if (forced == SubprocessResult::Ending::Exited) {
      if (options.cancelled && options.cancelled->load())
        forced = SubprocessResult::Ending::Cancelled;
      else if (std::chrono::steady_clock::now() > options.deadline)
        forced = SubprocessResult::Ending::TimedOut;
      if (forced != SubprocessResult::Ending::Exited)
        kill(-pid, SIGKILL);
    }
  }
  close(outPipe[0]);
  close(errPipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // Grandchildren (none expected) die with the group.
  kill(-pid, SIGKILL);
  if (forced != SubprocessResult::Ending::Exited) {
    result.ending = forced;
  } else if (WIFEXITED(status)) {
    result.ending = SubprocessResult::Ending::Exited;
    result.exitCode = WEXITSTATUS(status);
  } else {
    result.ending = SubprocessResult::Ending::Signalled;
    result.signal = WTERMSIG(status);
  }
  return result;
}

InteractiveChild startInteractive(const std::vector<std::string> &argv, uint64_t memoryBytes,
                                  std::string &error) {
  InteractiveChild child;
  std::vector<char *> args;
  for (const std::string &arg : argv)
    args.push_back(const_cast<char *>(arg.c_str()));
  args.push_back(nullptr);
  int inPipe[2], outPipe[2];
  if (pipe2(inPipe, O_CLOEXEC) != 0) {
    error = std::strerror(errno);
    return child;
  }
  if (pipe2(outPipe, O_CLOEXEC) != 0) {
    error = std::strerror(errno);
    close(inPipe[0]);
    close(inPipe[1]);
    return child;
  }
  pid_t pid = fork();
  if (pid < 0) {
    error = std::strerror(errno);
    for (int fd : {inPipe[0], inPipe[1], outPipe[0], outPipe[1]})
      close(fd);
    return child;
  }
  if (pid == 0) {
    dup2(inPipe[0], 0);
    dup2(outPipe[1], 1);
    execInChild(args.data(), memoryBytes, nullptr);
  }
  setpgid(pid, pid);
  close(inPipe[0]);
  close(outPipe[1]);
  fcntl(inPipe[1], F_SETFL, O_NONBLOCK);
  fcntl(outPipe[0], F_SETFL, O_NONBLOCK);
  child.pid = pid;
  child.stdinFd = inPipe[1];
  child.stdoutFd = outPipe[0];
  return child;
}

void endInteractive(int pid) {
  if (pid <= 0)
    return;
  kill(-pid, SIGTERM);
  std::thread([pid] {
    for (int i = 0; i < 50; ++i) { // 5 s of grace
      int status = 0;
      pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno == ECHILD))
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }).detach();
}

std::string interactiveEnding(int pid) {
  int status = 0;
  pid_t done = waitpid(pid, &status, WNOHANG);
  if (done != pid)
    return "";
  if (WIFSIGNALED(status))
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

} // namespace openopt::server
