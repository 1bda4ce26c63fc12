//===- RunModel.cpp - compile a model for this CPU and run it -------------===//
#include "openopt/Driver/RunModel.h"

#include "openopt/Driver/CompileModel.h"
#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Support/ResourceBlobs.h"

#include <algorithm>
#include <chrono>

namespace openopt::driver {

namespace {
double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}
} // namespace

llvm::Expected<RunResult> runModel(mlir::MLIRContext &context, const RunRequest &request) {
  auto loaded =
      loadModelWithInputs(context, request.modelPath, request.inputs, request.specialize);
  if (!loaded)
    return loaded.takeError();
  RunResult result;
  result.notes = std::move(loaded->notes);

  auto compileStart = std::chrono::steady_clock::now();
  auto targeted = targetOptions(request.options);
  if (!targeted)
    return targeted.takeError();
  CpuPipelineOptions options = *targeted;
  options.releaseWeightBlobs = request.releaseIRAfterCompile;
  auto model = CompiledModel::compile(*loaded->module, options);
  if (!model)
    return model.takeError();
  result.compileMs = msSince(compileStart);
  result.kernels = (*model)->kernelStats();
  if (request.releaseIRAfterCompile) {
    // Before the runs allocate their buffers: weights kept twice would set
    // the process's peak memory.
    loaded->module = nullptr;
    releaseResourceBlobs(context);
  }

  std::vector<const HostTensor *> inputs;
  for (const HostTensor &t : loaded->inputs)
    inputs.push_back(&t);
  result.outputs = (*model)->allocateOutputs();
  if (auto err = (*model)->run(inputs, result.outputs))
    return std::move(err);
  result.outputSpecs = (*model)->outputs();

  if (request.iterations == 0)
    return result;
  // Warm-up runs (caches, page faults, thread pool start-up) are not timed.
  // Every run writes the same outputs again.
  std::vector<HostTensor> &scratch = result.outputs;
  for (unsigned i = 0; i < std::min(10u, request.iterations); ++i)
    if (auto err = (*model)->run(inputs, scratch))
      return std::move(err);
  for (unsigned i = 0; i < request.iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (auto err = (*model)->run(inputs, scratch))
      return std::move(err);
    result.samplesMs.push_back(msSince(start));
  }
  result.latency = summarize(result.samplesMs);
  return result;
}

} // namespace openopt::driver
