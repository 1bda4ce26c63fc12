//===- JobQueue.h - long operations on a worker pool -----------*- C++ -*-===//
//
// A job is queued, runs on one of the worker threads, reports progress, can
// be cancelled, and ends done, failed or cancelled. Its state lives in the
// database; the result is committed before job/done is sent, so a client
// that saw job/done can always read the result back, even after a crash.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_JOBQUEUE_H
#define OPENOPT_SERVER_JOBQUEUE_H

#include "Metrics.h"
#include "storage/Storage.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace openopt::server {

/// Job error codes (the `code` of a job's error).
enum JobErrorCode {
  kJobInterrupted = -32010,
  kJobCancelled = -32011,
  kJobTimedOut = -32012,
  kJobOutOfMemory = -32013,
  kJobCompilerError = -32014,
  kJobInternal = -32000,
};

/// A failure the work reports: a code from JobErrorCode and a message.
struct JobFailure {
  int code;
  std::string message;
};

/// What a running job sees.
struct JobContext {
  std::string id;
  std::atomic<bool> cancelled{false};
  std::chrono::steady_clock::time_point deadline;
  std::function<void(double fraction, const std::string &message)> progress;
};

/// The work returns the result, or throws JobFailure.
using JobWork = std::function<json(JobContext &)>;
/// Receives job/progress and job/done notification params (any thread).
using JobListener = std::function<void(const std::string &method, const json &params)>;

class JobQueue {
public:
  JobQueue(Storage &storage, Metrics &metrics, unsigned workers, unsigned timeoutSeconds);
  ~JobQueue();

  /// Stores the job as queued and schedules it; returns its id.
  std::string submit(const std::string &kind, const json &params, const std::string &client,
                     const std::string &tokenId, JobWork work, JobListener listener);
  /// Stores a job that is already finished (a compile-cache hit) and
  /// notifies `listener` of it.
  std::string submitFinished(const std::string &kind, const json &params,
                             const std::string &client, const std::string &tokenId,
                             const json &result, JobListener listener);

  /// Cancels a live job and waits (up to `wait`) for it to end.
  /// Returns false if the job is not live.
  bool cancel(const std::string &id, std::chrono::milliseconds wait);

  /// Queued and running jobs, overall and of one client.
  int liveJobs();
  int liveJobsOf(const std::string &client);

  void shutdown();

private:
  struct Entry {
    std::string id, kind, client;
    JobWork work;
    JobListener listener;
    std::shared_ptr<JobContext> context;
    bool running = false;
    std::chrono::steady_clock::time_point queuedAt;
  };
  void workerLoop();
  void runEntry(const std::shared_ptr<Entry> &entry);
  void finish(const std::shared_ptr<Entry> &entry, const std::string &state, const json &result,
              const json &error);

  Storage &storage;
  Metrics &metrics;
  unsigned timeoutSeconds;
  std::mutex mutex;
  std::condition_variable wake, finished;
  std::deque<std::shared_ptr<Entry>> queue;
  std::map<std::string, std::shared_ptr<Entry>> live;
  std::vector<std::thread> threads;
  bool stopping = false;
};

} // namespace openopt::server

#endif
