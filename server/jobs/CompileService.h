//===- CompileService.h - import, compile, run and profile jobs -*- C++ -*-===//
//
// The work behind the API's long methods. Each step runs the `openopt` CLI
// in a child process (Subprocess.h) on files in a per-job directory, then
// stores what it produced as artifacts. Graph passes and code generation run
// as two steps so the compile cache can reuse the first.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_SERVER_COMPILESERVICE_H
#define OPENOPT_SERVER_COMPILESERVICE_H

#include "storage/CompileCache.h"
#include "Config.h"
#include "jobs/JobQueue.h"
#include "Metrics.h"
#include "storage/Storage.h"

#include "openopt/Record/PassRecord.h"
#include "openopt/Runtime/HostTensor.h"

#include <string>

namespace openopt::server {

/// A compile/start request, checked and hashed.
struct CompilePlan {
  std::string compileId, modelId, modelName;
  std::string recipeText, recipeName, recipeHash;
  std::string graphKey, cacheKey;
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

  /// "0.1.0+<first 12 hex digits of the compiler executable's SHA-256>".
  const std::string &compilerVersion() const { return version; }
  const std::string &hostCpu() const { return cpu; }
  const std::string &hostIsa() const { return isa; }

  /// Import: checks the model by importing it in a child, stores it and its
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
  json run(JobContext &job, const CompileRow &compile, const std::vector<RunInput> &inputs,
           uint32_t seed, int iterations);
  json profile(JobContext &job, const CompileRow &compile, uint32_t seed, int iterations);

  /// The merged pass record of a compile.
  std::shared_ptr<const PassRecord> passRecord(const CompileRow &compile);
  /// Graph JSON of the IR after the compile's graph passes.
  json graphAfterPasses(const CompileRow &compile);
  /// Graph JSON after one graph pass of the compile's recipe (`openopt graph --after`).
  json graphAfterPass(const CompileRow &compile, const std::string &after);

private:
  /// The cached graph JSON under `key`, else `openopt ARGS -o graph.json` run
  /// in a scratch directory holding `files` (name, bytes).
  json graphView(const CompileRow &compile, const std::string &key,
                 const std::vector<std::pair<std::string, std::string>> &files,
                 std::vector<std::string> args);
  /// Runs `openopt ARGS` for a job; throws JobFailure when it fails.
  std::string runCompiler(JobContext &job, const std::vector<std::string> &args,
                          const std::string &what, const std::string &directory);
  const ServerConfig &config;
  Storage &storage;
  Metrics &metrics;
  CompileCache &cache;
  std::string version, cpu, isa;
  LruCache<PassRecord> records;
  LruCache<json> graphs;
};

} // namespace openopt::server

#endif
