//===- Profile.h - per-op timings of a profiled model ----------*- C++ -*-===//
//
// A model compiled with CpuPipelineOptions::profile calls
// openopt_profile_enter(id) and openopt_profile_exit(id) around each top-level
// op (openopt-instrument-profile). The JIT resolves both to functions that
// read the steady clock into the ProfileCollector of the run in progress on
// the calling thread: calls and total/min/max time per op, and per-call
// events for a trace (capped; what does not fit is counted as dropped).
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_RUNTIME_PROFILE_H
#define OPENOPT_RUNTIME_PROFILE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace openopt {

/// One bracketed op: a row of the op table the instrumentation pass stores.
struct ProfiledOp {
  int64_t index = 0;              // the id its hooks receive
  std::string id;                 // graph JSON node id (stable op id)
  std::string op;                 // "nn.conv", "nn.fused", ...
  std::string kind;               // a group's kind ("epilogue"), else ""
  std::vector<std::string> names; // ONNX node names from the location
  std::optional<int64_t> flops;   // per call, from the cost model
  std::optional<int64_t> bytes;   // per call
};

/// The op table openopt-instrument-profile left on `module` (empty when
/// there is none).
llvm::Expected<std::vector<ProfiledOp>> readProfiledOps(mlir::ModuleOp module);

struct OpTiming {
  int64_t calls = 0;
  int64_t totalNs = 0;
  int64_t minNs = 0, maxNs = 0;
};

/// One timed interval: an op's call, or (index kRunEvent) a whole run.
struct ProfileEvent {
  static constexpr int64_t kRunEvent = -1;
  int64_t index;
  int64_t startNs; // since the collector's last reset
  int64_t durationNs;
  /// 0: the host's timeline; 1: the GPU's (a kernel, placed after its run's
  /// start by its offset from the run's first kernel).
  int track = 0;
};

/// What a profiled model collected since its last reset.
struct ProfileData {
  std::vector<OpTiming> ops; // by ProfiledOp::index
  std::vector<ProfileEvent> events;
  int64_t droppedEvents = 0; // beyond the cap
  int64_t runs = 0;
  int64_t runTotalNs = 0;
};

/// Receives the hook calls of the runs it is attached to.
class ProfileCollector {
public:
  static constexpr size_t kDefaultMaxEvents = size_t(1) << 20;

  explicit ProfileCollector(size_t numOps);
  ProfileCollector(const ProfileCollector &) = delete;
  ProfileCollector &operator=(const ProfileCollector &) = delete;

  /// Clears the data and restarts the clock; keeps at most `maxEvents`
  /// per-call events (op calls and runs) until the next reset.
  void reset(size_t maxEvents = kDefaultMaxEvents);
  const ProfileData &data() const { return collected; }

  /// While alive, the hooks called on this thread go to `collector`; the
  /// scope is recorded as one run.
  class RunScope {
  public:
    explicit RunScope(ProfileCollector &collector);
    ~RunScope();
    RunScope(const RunScope &) = delete;
    RunScope &operator=(const RunScope &) = delete;

  private:
    ProfileCollector &collector;
    ProfileCollector *previous;
    int64_t startNs;
  };

  /// Addresses of the C functions the two hooks resolve to.
  static void *enterHookAddress();
  static void *exitHookAddress();

  void enter(int64_t index) {
    if (uint64_t(index) < starts.size())
      starts[index] = now();
  }
  void exit(int64_t index) {
    int64_t end = now();
    if (uint64_t(index) < starts.size())
      record(index, starts[index], end - starts[index]);
  }

private:
  int64_t now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now() - epoch)
        .count();
  }
  void record(int64_t index, int64_t startNs, int64_t durationNs);
  void addEvent(const ProfileEvent &event);

  std::chrono::steady_clock::time_point epoch;
  std::vector<int64_t> starts;
  size_t maxEvents = kDefaultMaxEvents;
  ProfileData collected;
};

} // namespace openopt

#endif // OPENOPT_RUNTIME_PROFILE_H
