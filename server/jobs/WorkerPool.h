//===- WorkerPool.h - warm openopt-worker processes for jobs ----*- C++ -*-===//
//
// Jobs run in long-lived `openopt-worker` processes (tools/openopt-worker),
// one job at a time each, spoken to over pipes with the framed protocol of
// worker/WorkerProtocol.h. A worker keeps its MLIRContext between jobs.
// Isolation stays what a child per job gave: each worker has its own
// address-space limit (RLIMIT_AS) and process group, and
//  - cancel or the job's deadline kills the worker (a fresh one replaces it),
//  - a worker that dies mid-job fails that job with the signal named, or
//    with -32013 when its exit status says an allocation failed;
// other jobs and the daemon carry on.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_JOBS_WORKERPOOL_H
#define OPENOPT_SERVER_JOBS_WORKERPOOL_H

#include "jobs/JobQueue.h"
#include "worker/WorkerProtocol.h"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace openopt::server {

class Metrics;

struct WorkerReply {
  json result;
  std::vector<std::string> blobs;
  /// The worker's resident memory after the request.
  uint64_t workerRssBytes = 0;
};

class WorkerPool {
public:
  /// At most `size` workers at once, each started as `command` (the
  /// worker's path and its arguments) and limited to `memoryBytes` of
  /// address space (0: unlimited).
  WorkerPool(std::vector<std::string> command, unsigned size, uint64_t memoryBytes,
             unsigned timeoutSeconds, uint64_t retireAfterBytes, Metrics &metrics);
  ~WorkerPool();
  WorkerPool(const WorkerPool &) = delete;
  WorkerPool &operator=(const WorkerPool &) = delete;

  /// Runs one request for `job` on an idle worker (waiting for one) and
  /// returns its result. Throws JobFailure: cancelled, timed out, out of
  /// memory, the worker's crash (signal named) or the compiler's error.
  /// `what` names the step in messages ("the compile"); paths under
  /// `workDirectory` (the job's scratch folder) lose that prefix in them.
  WorkerReply call(JobContext &job, const std::string &method, json params,
                   std::vector<std::string> blobs, const std::string &what,
                   const std::string &workDirectory = "");

  /// A worker whose resident memory passes this after a job is retired (its
  /// MLIRContext keeps every model's constants it ever saw): as configured,
  /// else a quarter of the memory limit, at least 1 GiB; 4 GiB without one.
  uint64_t retireBytes() const;

private:
  struct Worker {
    int pid = -1;
    int stdinFd = -1, stdoutFd = -1;
    bool busy = false;
  };
  Worker *acquire(JobContext &job);
  void release(Worker *worker, bool healthy);
  /// Kills (SIGKILL to its group) and reaps; returns the wait status.
  int stop(Worker &worker, bool kill);
  /// Sends `frame` and reads the reply; sets `ended` when the worker is gone
  /// (killed on cancel or timeout, or it died).
  WorkerReply exchange(JobContext &job, Worker &worker, const std::string &frame,
                       const std::string &what, const std::string &workDirectory, bool &ended);

  std::vector<std::string> command;
  unsigned size;
  uint64_t memoryBytes;
  unsigned timeoutSeconds;
  uint64_t retireAfterBytes;
  Metrics &metrics;
  mutable std::mutex mutex;
  std::condition_variable idle;
  std::vector<std::unique_ptr<Worker>> workers;
  uint64_t nextId = 1;
};

} // namespace openopt::server

#endif // OPENOPT_SERVER_JOBS_WORKERPOOL_H
