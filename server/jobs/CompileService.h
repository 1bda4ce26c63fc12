//===- CompileService.h - import, compile, run and profile jobs -*- C++ -*-===//
//
// The work behind the API's long methods. Each job is one request to a warm
// `openopt-worker` (WorkerPool.h) on files in a per-job directory; what it
// returns is stored as artifacts. A compile is one request: from the model
// through the graph passes and code generation, or, when the graph passes'
// result is cached (same model and graph passes), from their IR.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_COMPILESERVICE_H
#define OPENOPT_SERVER_COMPILESERVICE_H

#include "storage/CompileCache.h"
#include "Config.h"
#include "jobs/Devices.h"
#include "jobs/JobQueue.h"
#include "jobs/WorkerPool.h"
#include "Metrics.h"
#include "storage/Storage.h"

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Recipe/Recipe.h"
#include "openopt/Record/PassRecord.h"
#include "openopt/Runtime/HostTensor.h"

#include <string>

namespace openopt::server {

/// A compile/start request, checked and hashed.
struct CompilePlan {
  std::string compileId, modelId, modelName;
  std::string recipeText, recipeName, recipeHash;
  std::string graphKey, cacheKey;
  /// What the recipe resolved to: the worker gets these, not the text.
  CpuPipelineOptions options;
  RecipeOutputs outputs;
};

/// A stored model as the API shows it (common.schema.json#/$defs/modelSummary).
json modelSummary(const ModelRow &row);

struct RunInput {
  std::string name;
  std::shared_ptr<HostTensor> tensor;
};

class CompileService {
public:
  CompileService(const ServerConfig &config, Storage &storage, Metrics &metrics,
                 CompileCache &cache);

  /// "0.1.0+<first 12 hex digits of the worker executable's SHA-256>".
  const std::string &compilerVersion() const { return version; }
  const std::string &hostCpu() const { return cpu; }
  const std::string &hostIsa() const { return isa; }

  /// Import: checks the model by importing it in a worker, stores it and its
  /// graph JSON. `bytes` are the ONNX file.
  json importModel(JobContext &job, const std::string &name, const std::string &bytes);

  /// Checks the recipe (diagnostics with line:column in the error) and
  /// computes the cache keys.
  llvm::Expected<CompilePlan> planCompile(const ModelRow &model, const std::string &recipeText,
                                          const std::string &recipeName);
  /// A compile with the plan's key is already stored: record a new compile
  /// that reuses it, and return its summary.
  json reuseCompile(const CompilePlan &plan, const CompileRow &previous, double lookupMs);
  json compile(JobContext &job, const CompilePlan &plan);

  /// Inputs of run/start checked against the model: an error names the
  /// input (JSON pointer) and what is wrong with it.
  llvm::Expected<std::vector<RunInput>> decodeRunInputs(const ModelRow &model,
                                                        const json &inputs);
  /// Where run and profile jobs can run.
  const Devices &devices() const { return *deviceList; }
  /// The device `id` names, if the compile can run there: a cuda compile on
  /// a GPU, a CPU compile on a CPU, and on an agent's device only a compile
  /// with a model library (outputs.sharedLibrary) to send it.
  llvm::Expected<DeviceTarget> deviceFor(const CompileRow &compile, const std::string &id);
  json run(JobContext &job, const CompileRow &compile, const std::vector<RunInput> &inputs,
           uint32_t seed, int iterations, const DeviceTarget &device);
  json profile(JobContext &job, const CompileRow &compile, uint32_t seed, int iterations,
               const DeviceTarget &device);

  /// The merged pass record of a compile.
  std::shared_ptr<const PassRecord> passRecord(const CompileRow &compile);
  /// Graph JSON of the IR after the compile's graph passes.
  json graphAfterPasses(const CompileRow &compile);
  /// Graph JSON after one graph pass of the compile's recipe (`openopt graph --after`).
  json graphAfterPass(const CompileRow &compile, const std::string &after);

private:
  /// The cached graph JSON under `key`, else the worker's graph view of
  /// `model` (file name, bytes), after the passes up to `after` ("" none).
  json graphView(const CompileRow &compile, const std::string &key,
                 const std::pair<std::string, std::string> &model, const std::string &after,
                 const std::vector<RecipePass> &passes);
  /// A recipe text stored with a compile, parsed (and counted in metrics).
  llvm::Expected<Recipe> parseStoredRecipe(const std::string &text, const std::string &name);
  /// The params run and profile share: the compile's graph IR written to
  /// `graphFile`, its recipe's code-generation options, random inputs.
  json workerRunParams(const CompileRow &compile, const std::string &graphFile, uint32_t seed);
  /// A run or profile on an agent's device: the compile's library sent, run
  /// there; the agent's reply.
  json runOnAgent(JobContext &job, const CompileRow &compile, const std::vector<RunInput> &inputs,
                  uint32_t seed, int iterations, const DeviceTarget &device, bool profile);
  /// An output of a run, stored as its .npy artifact (inline when small).
  json storedOutput(const std::string &name, const HostTensor &tensor, const std::string &npyPath);
  const ServerConfig &config;
  Storage &storage;
  Metrics &metrics;
  CompileCache &cache;
  WorkerPool workers;
  /// Graph views are answered on the request pool, so they get a worker of
  /// their own rather than waiting behind long jobs.
  WorkerPool viewWorkers;
  std::string version, cpu, isa;
  std::unique_ptr<Devices> deviceList;
  LruCache<PassRecord> records;
  LruCache<json> graphs;
};

} // namespace openopt::server

#endif
