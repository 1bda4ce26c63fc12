//===- RunModel.h - compile a model for this CPU and run it ------*- C++ -*-===//
//
// `openopt run` and the daemon's run jobs as one library call: the model
// loaded with its inputs, compiled with the given options, run once for its
// outputs and then timed.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_DRIVER_RUNMODEL_H
#define OPENOPT_DRIVER_RUNMODEL_H

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Driver/ModelInputs.h"
#include "openopt/Runtime/KernelCompiler.h"

#include <string>
#include <vector>

namespace openopt::driver {

struct RunRequest {
  /// An .onnx or .mlir file.
  std::string modelPath;
  /// How to compile: the recipe's options, possibly overridden.
  CpuPipelineOptions options;
  /// Give the entry function's dynamic dimensions the inputs' sizes before
  /// compiling (the recipe's codegen.shapes = "specialize").
  bool specialize = false;
  InputSources inputs;
  /// Timed runs after the first run and up to 10 warm-up runs; 0 times none.
  unsigned iterations = 0;
  /// Once compiled, drop the IR and free the bytes of every resource blob in
  /// the context (the weights as imported and as the passes rewrote them;
  /// the compiled model holds its own copy): for a caller that makes no
  /// other IR in this context afterwards (`openopt run`), not for one that
  /// keeps it (the daemon's workers).
  bool releaseIRAfterCompile = false;
};

struct RunResult {
  std::vector<TensorSpec> outputSpecs;
  /// The first run's outputs, one tensor per output spec.
  std::vector<HostTensor> outputs;
  double compileMs = 0;
  /// Kernels compiled and reused (from the kernel cache) by the compile.
  KernelStats kernels;
  /// Each timed run in order, and their summary.
  std::vector<double> samplesMs;
  Latency latency;
  /// What the user should be told (see ModelWithInputs::notes).
  std::vector<std::string> notes;
};

llvm::Expected<RunResult> runModel(mlir::MLIRContext &context, const RunRequest &request);

} // namespace openopt::driver

#endif // OPENOPT_DRIVER_RUNMODEL_H
