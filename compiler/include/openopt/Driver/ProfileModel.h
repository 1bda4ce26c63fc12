//===- ProfileModel.h - where a model's run time goes ------------*- C++ -*-===//
//
// `openopt profile` and the daemon's profile jobs as one library call: the
// model compiled with timing hooks around each top-level op or fused group
// (CpuPipelineOptions::profile), run, and reported as a table sorted by
// total time, as JSON (schemas/profile.schema.json) and as a Chrome
// trace-event file for Perfetto.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DRIVER_PROFILEMODEL_H
#define OPENOPT_DRIVER_PROFILEMODEL_H

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Driver/ModelInputs.h"
#include "openopt/Runtime/Profile.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace openopt::driver {

struct ProfileRequest {
  std::string modelPath;
  /// How to compile; `profile` is turned on by profileModel.
  CpuPipelineOptions options;
  bool specialize = false;
  InputSources inputs;
  /// Timed runs, after `warmup` untimed ones (at least one).
  unsigned iterations = 10;
  unsigned warmup = 3;
  /// Build the trace of the timed calls (the first maxTraceEvents are kept).
  bool trace = false;
  unsigned maxTraceEvents = 100000;
};

/// One row of the table: an op with what was measured for it.
struct ProfileRow {
  ProfiledOp op;
  OpTiming timing;
  double percent = 0;
  /// Unknown for ops without FLOPs (data movement) or without time.
  std::optional<double> gflopsPerSecond() const;
  /// The bytes it reads and writes (each buffer once) over its time; unknown
  /// without bytes or time.
  std::optional<double> gbytesPerSecond() const;
};

/// The GPU a profile ran on and what it can do at most: f32 on the CUDA
/// cores (SMs x clock x lanes x 2) and memory bandwidth (memory clock x 2 x
/// bus width); unknown where the driver does not give the clocks.
struct GpuPeaks {
  std::string name, arch;
  std::optional<double> gflopsPerSecond, gbytesPerSecond;
};

/// The peaks of GPU `index` as the runtime describes it (nullopt: no such GPU).
std::optional<GpuPeaks> gpuPeaks(int index);

struct ProfileReport {
  std::vector<ProfileRow> rows; // by total time, longest first
  int64_t opNs = 0;             // all ops' time, all iterations
  int64_t runNs = 0;            // time inside the model calls, all iterations
  int64_t calls = 0;
  std::optional<int64_t> flopsPerRun; // unknown if any op's is
  Latency latency;
  double meanLatencyMs = 0;
  double compileMs = 0;
  unsigned iterations = 0, warmup = 0, threads = 1;
  std::string model, function;
  int64_t droppedEvents = 0, keptEvents = 0;
  /// The GPU, for a cuda model's profile.
  std::optional<GpuPeaks> gpu;
  /// Chrome trace-event JSON of the timed calls, when the request asked.
  std::optional<llvm::json::Value> trace;
  /// The model's outputs (every run writes the same ones).
  std::vector<TensorSpec> outputSpecs;
  std::vector<HostTensor> outputs;
  std::vector<std::string> notes;

  double opMsPerRun() const;
  double runMsPerRun() const;
  /// The share of the runs spent inside the brackets.
  double coverage() const;
  std::optional<double> totalGflopsPerSecond() const;
};

llvm::Expected<ProfileReport> profileModel(mlir::MLIRContext &context,
                                           const ProfileRequest &request);

/// One timed run of a model on a GPU: when it started (host clock, from the
/// first run's start), how long it took, and its kernels (the runtime's
/// openopt_session_kernel_times: each from the run's first kernel).
struct GpuRunTiming {
  struct Kernel {
    std::string name;
    double startMs = 0, milliseconds = 0;
    int64_t flops = -1, bytes = -1; // per call; -1: unknown
  };
  double startMs = 0, runMs = 0;
  std::vector<Kernel> kernels;
};

/// Fills `report` (its rows, latency, coverage and, with `trace`, the trace
/// with a GPU track) from GPU runs: a row per kernel (named after its ONNX
/// node), in the same table, JSON and trace as the CPU's profile. Both
/// `openopt profile` of a cuda model and openoptd's profile on an agent's
/// GPU make their report here.
void addGpuRuns(ProfileReport &report, llvm::ArrayRef<GpuRunTiming> runs, bool trace,
                size_t maxTraceEvents = 100000);

/// The table `openopt profile` prints.
void printProfileTable(const ProfileReport &report, llvm::raw_ostream &os);
/// The report as schemas/profile.schema.json describes it.
llvm::json::Value profileJson(const ProfileReport &report);
/// Writes JSON with sorted keys and fractions in their shortest round-trip
/// form (0.8076, not 0.80759999999999998).
llvm::Error writeJsonFile(llvm::StringRef path, const llvm::json::Value &value, bool pretty);

} // namespace openopt::driver

#endif // OPENOPT_DRIVER_PROFILEMODEL_H
