//===- WorkerPool.cpp - warm openopt-worker processes for jobs ------------===//
#include "jobs/WorkerPool.h"

#include "Log.h"
#include "Metrics.h"
#include "jobs/Subprocess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace openopt::server {
namespace {

using Clock = std::chrono::steady_clock;
namespace protocol = worker;

std::string signalName(int signal) {
  const char *abbrev = sigabbrev_np(signal);
  return std::string("SIG") + (abbrev ? abbrev : std::to_string(signal)) + " (" +
         std::to_string(signal) + ")";
}

} // namespace

WorkerPool::WorkerPool(std::vector<std::string> command, unsigned size, uint64_t memoryBytes,
                       unsigned timeoutSeconds, uint64_t retireAfterBytes, Metrics &metrics)
    : command(std::move(command)), size(std::max(1u, size)), memoryBytes(memoryBytes),
      timeoutSeconds(timeoutSeconds), retireAfterBytes(retireAfterBytes), metrics(metrics) {}

WorkerPool::~WorkerPool() {
  std::lock_guard<std::mutex> lock(mutex);
  for (auto &w : workers) {
    // Closing stdin ends an idle worker; the group kill covers a busy one.
    ::close(w->stdinFd);
    ::close(w->stdoutFd);
    endInteractive(w->pid);
  }
}

uint64_t WorkerPool::retireBytes() const {
  if (retireAfterBytes)
    return retireAfterBytes;
  return memoryBytes ? std::max<uint64_t>(uint64_t(1) << 30, memoryBytes / 4)
                     : uint64_t(4) << 30;
}

WorkerPool::Worker *WorkerPool::acquire(JobContext &job) {
  std::unique_lock<std::mutex> lock(mutex);
  while (true) {
    for (auto &w : workers)
      if (!w->busy) {
        w->busy = true;
        return w.get();
      }
    if (workers.size() < size) {
      std::string error;
      InteractiveChild child = startInteractive(command, memoryBytes, error);
      if (child.pid < 0)
        throw JobFailure{kJobInternal, "cannot start the worker '" + command.front() + "': " + error};
      auto w = std::make_unique<Worker>();
      w->pid = child.pid;
      w->stdinFd = child.stdinFd;
      w->stdoutFd = child.stdoutFd;
      w->busy = true;
      metrics.workerStarted();
      logEvent(spdlog::level::info, "worker.started", {{"pid", w->pid}, {"job", job.id}});
      workers.push_back(std::move(w));
      return workers.back().get();
    }
    if (job.cancelled)
      throw JobFailure{kJobCancelled, "cancelled while waiting for a worker"};
    if (Clock::now() >= job.deadline)
      throw JobFailure{kJobTimedOut, "no worker was free before the job's time limit"};
    idle.wait_for(lock, std::chrono::milliseconds(100));
  }
}

void WorkerPool::release(Worker *worker, bool healthy) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (healthy) {
      worker->busy = false;
    } else {
      ::close(worker->stdinFd);
      ::close(worker->stdoutFd);
      std::erase_if(workers, [&](const auto &w) { return w.get() == worker; });
    }
  }
  idle.notify_one();
}

int WorkerPool::stop(Worker &worker, bool kill) {
  if (kill)
    ::kill(-worker.pid, SIGKILL);
  int status = 0;
  while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

WorkerReply WorkerPool::exchange(JobContext &job, Worker &worker, const std::string &frame,
                                 const std::string &what, const std::string &workDirectory,
                                 bool &ended) {
  size_t written = 0;
  protocol::MessageDecoder decoder;
  char buffer[1 << 16];
  while (true) {
    if (job.cancelled) {
      ended = true;
      stop(worker, true);
      throw JobFailure{kJobCancelled, "cancelled during " + what};
    }
    if (Clock::now() >= job.deadline) {
      ended = true;
      stop(worker, true);
      throw JobFailure{kJobTimedOut, what + " exceeded the job time limit of " +
                                         std::to_string(timeoutSeconds) + " s"};
    }
    pollfd fds[2] = {{worker.stdoutFd, POLLIN, 0}, {worker.stdinFd, POLLOUT, 0}};
    int count = written < frame.size() ? 2 : 1;
    int ready = ::poll(fds, count, 100);
    if (ready < 0 && errno != EINTR) {
      std::string why = std::strerror(errno);
      ended = true;
      stop(worker, true);
      throw JobFailure{kJobInternal, "poll: " + why};
    }
    if (count == 2 && (fds[1].revents & POLLOUT)) {
      ssize_t n = ::write(worker.stdinFd, frame.data() + written, frame.size() - written);
      if (n > 0)
        written += size_t(n);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(worker.stdoutFd, buffer, sizeof(buffer));
      if (n > 0) {
        decoder.feed(std::string_view(buffer, size_t(n)));
        auto message = decoder.next();
        if (!message) {
          ended = true;
      stop(worker, true);
          throw JobFailure{kJobInternal, what + ": " + llvm::toString(message.takeError())};
        }
        if (*message) {
          protocol::Message &reply = **message;
          if (reply.header.contains("error")) {
            std::string message = reply.header["error"].value("message", "");
            if (!workDirectory.empty())
              for (size_t at; (at = message.find(workDirectory + "/")) != std::string::npos;)
                message.erase(at, workDirectory.size() + 1);
            throw JobFailure{kJobCompilerError, what + " failed:\n" + message};
          }
          return {std::move(reply.header["result"]), std::move(reply.blobs),
                  reply.header.value("rssBytes", uint64_t(0))};
        }
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      // End of file: the worker is gone. Its status says why.
      ended = true;
      int status = stop(worker, false);
      if (WIFEXITED(status) && WEXITSTATUS(status) == protocol::kOutOfMemoryExit)
        throw JobFailure{kJobOutOfMemory, what + " exceeded the job memory limit of " +
                                              std::to_string(memoryBytes >> 20) + " MiB"};
      if (WIFSIGNALED(status))
        throw JobFailure{kJobCompilerError, "the worker running " + what +
                                                " was killed by signal " +
                                                signalName(WTERMSIG(status))};
      throw JobFailure{kJobCompilerError, "the worker running " + what + " exited with code " +
                                              std::to_string(WEXITSTATUS(status))};
    }
  }
}

WorkerReply WorkerPool::call(JobContext &job, const std::string &method, json params,
                             std::vector<std::string> blobs, const std::string &what,
                             const std::string &workDirectory) {
  protocol::Message request;
  {
    std::lock_guard<std::mutex> lock(mutex);
    request.header = {{"id", nextId++}, {"method", method}, {"params", std::move(params)}};
  }
  request.blobs = std::move(blobs);
  std::string frame = protocol::encodeMessage(request);
  request = {};
  Worker *worker = acquire(job);
  auto start = Clock::now();
  bool ended = false;
  try {
    WorkerReply reply = exchange(job, *worker, frame, what, workDirectory, ended);
    bool retire = reply.workerRssBytes > retireBytes();
    if (retire) {
      // Closing its stdin ends it; endInteractive reaps it in the background.
      logEvent(spdlog::level::info, "worker.retired",
               {{"pid", worker->pid}, {"rssBytes", reply.workerRssBytes}});
      endInteractive(worker->pid);
    }
    release(worker, !retire);
    metrics.countWorkerCall(method, "ok");
    logEvent(spdlog::level::debug, "worker.call",
             {{"job", job.id}, {"method", method}, {"pid", worker->pid},
              {"ms", std::chrono::duration<double, std::milli>(Clock::now() - start).count()}});
    return reply;
  } catch (const JobFailure &failure) {
    // A reply with an error leaves the worker serving; anything else ended it.
    bool healthy = !ended;
    const char *outcome = failure.code == kJobCancelled     ? "cancelled"
                          : failure.code == kJobTimedOut    ? "timed_out"
                          : failure.code == kJobOutOfMemory ? "out_of_memory"
                          : healthy                         ? "error"
                                                            : "crashed";
    metrics.countWorkerCall(method, outcome);
    if (!healthy)
      logEvent(spdlog::level::warn, "worker.ended",
               {{"job", job.id}, {"pid", worker->pid}, {"why", failure.message}});
    release(worker, healthy);
    throw;
  }
}

} // namespace openopt::server
