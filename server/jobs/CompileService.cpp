//===- CompileService.cpp - the daemon's jobs, done by warm workers ------===//
#include "jobs/CompileService.h"

#include "Base64.h"
#include "Hash.h"
#include "Log.h"
#include "worker/WorkerProtocol.h"

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Driver/ModelInputs.h"
#include "openopt/Driver/ProfileModel.h"
#include "openopt/Recipe/Recipe.h"
#include "openopt/Runtime/Npy.h"
#include "openopt/runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <cstring>
#include <fstream>

namespace openopt::server {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// A job's scratch directory, removed when the job ends.
class JobDirectory {
public:
  JobDirectory(const std::string &dataDir, const std::string &jobId) {
    llvm::SmallString<256> dir(dataDir);
    llvm::sys::path::append(dir, "jobs", jobId);
    path = std::string(dir);
    llvm::sys::fs::remove_directories(path);
    if (auto ec = llvm::sys::fs::create_directories(path))
      throw JobFailure{kJobInternal, "cannot create " + path + ": " + ec.message()};
  }
  ~JobDirectory() { llvm::sys::fs::remove_directories(path); }
  std::string file(const std::string &name) const { return path + "/" + name; }
  std::string path;
};

void writeFile(const std::string &path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out)
    throw JobFailure{kJobInternal, "cannot write " + path};
}

std::optional<std::string> readFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return std::nullopt;
  return (*buffer)->getBuffer().str();
}

std::string requireFile(const std::string &path, const std::string &what) {
  auto bytes = readFile(path);
  if (!bytes)
    throw JobFailure{kJobInternal, what + " did not write " + path};
  return *bytes;
}

json tensorSpecs(const json &graph, const char *kind) {
  json specs = json::array();
  for (const json &node : graph.value("nodes", json::array()))
    if (node.value("op", "") == kind && node.contains("results") && !node["results"].empty())
      specs.push_back({{"name", node.value("name", "")},
                       {"dtype", node["results"][0].value("dtype", "f32")},
                       {"shape", node["results"][0].value("shape", json::array())}});
  return specs;
}


llvm::Expected<PassRecord> parseRecord(std::string_view text, const std::string &what) {
  auto value = llvm::json::parse(llvm::StringRef(text.data(), text.size()));
  if (!value)
    return llvm::createStringError("%s: %s", what.c_str(),
                                   llvm::toString(value.takeError()).c_str());
  return PassRecord::fromJSON(*value);
}

std::string printRecord(const PassRecord &record) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << record.toJSON();
  return text;
}

int64_t countOps(const std::vector<FunctionSnapshot> &functions) {
  int64_t n = 0;
  for (const FunctionSnapshot &f : functions)
    n += int64_t(f.ops.size());
  return n;
}

/// The .npy file of `tensor`, as bytes.
std::string npyBytes(const HostTensor &tensor, const std::string &scratch) {
  if (auto err = writeNpy(scratch, tensor))
    throw JobFailure{kJobInternal, llvm::toString(std::move(err))};
  std::string bytes = requireFile(scratch, "the output");
  llvm::sys::fs::remove(scratch);
  return bytes;
}

/// The model file a job's worker reads, written into the job directory.
/// An imported model is ONNX, or MLIR text when its name ends in `.mlir`
/// (an editor sends the IR file it shows).
bool isMlirModel(const std::string &modelName) { return llvm::StringRef(modelName).ends_with(".mlir"); }

std::string modelFileName(const std::string &modelName) {
  std::string file = tensorFileName(modelName);
  if (isMlirModel(modelName))
    return llvm::StringRef(file).ends_with(".mlir") ? file : file + ".mlir";
  if (!llvm::StringRef(file).ends_with(".onnx"))
    file += ".onnx";
  return file;
}

} // namespace

json modelSummary(const ModelRow &row) {
  json summary = row.summary;
  summary["id"] = row.id;
  summary["name"] = row.name;
  summary["bytes"] = row.bytes;
  summary["createdAt"] = row.createdAt;
  return summary;
}

namespace {
/// Workers share one kernel cache on disk, in the data directory: a kernel
/// compiled by one is reused by all, and by the next daemon.
std::vector<std::string> workerCommand(const ServerConfig &config) {
  return {config.workerPath, "--kernel-cache=" + config.dataDir + "/kernels"};
}
} // namespace

// The workers' address-space limit (--job-memory-mib). The CUDA driver
// reserves far more address space than it uses (the unified address range),
// so on a machine with a GPU the workers run without one: their resident
// memory still retires them (--worker-retire-mib) and the job timeout holds.
static uint64_t jobAddressLimit(const ServerConfig &config) {
  static const bool gpu = [] {
    size_t count = 0;
    openopt_error *error = nullptr;
    bool found = openopt_gpu_devices(nullptr, 0, &count, &error) == OPENOPT_OK && count > 0;
    openopt_error_free(error);
    if (found)
      logEvent(spdlog::level::info, "workers.no_address_limit",
               {{"why", "this machine has a GPU, and the CUDA driver reserves more address space "
                        "than --job-memory-mib"}});
    return found;
  }();
  return gpu ? 0 : config.limits.jobMemoryBytes;
}

CompileService::CompileService(const ServerConfig &config, Storage &storage, Metrics &metrics,
                               CompileCache &cache)
    : config(config), storage(storage), metrics(metrics), cache(cache),
      workers(workerCommand(config), config.workers, jobAddressLimit(config),
              config.limits.jobTimeoutSeconds, config.limits.workerRetireBytes, metrics),
      viewWorkers(workerCommand(config), 1, jobAddressLimit(config),
                  config.limits.jobTimeoutSeconds, config.limits.workerRetireBytes, metrics),
      records(config.memoryCacheBytes / 8), graphs(config.memoryCacheBytes / 8) {
  auto binary = readFile(config.workerPath);
  version = std::string("0.1.0+") + (binary ? sha256Hex(*binary).substr(0, 12) : "unknown");
  cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  isa = features.lookup("avx512f") ? "avx512" : features.lookup("avx2") ? "avx2" : "scalar";
  deviceList = std::make_unique<Devices>(config, cpu, isa);
}

llvm::Expected<DeviceTarget> CompileService::deviceFor(const CompileRow &compile,
                                                       const std::string &id) {
  auto target = deviceList->resolve(id);
  if (!target)
    return target.takeError();
  auto recipeText = cache.artifact(compile.recipeHash);
  if (!recipeText)
    return llvm::createStringError("the compile's recipe is not stored");
  auto recipe = parseStoredRecipe(recipeText->data, compile.summary.value("recipeName", "recipe"));
  if (!recipe)
    return recipe.takeError();
  if (recipe->target != target->kind)
    return llvm::createStringError(
        "compile %s is for target %s; device %s runs %s compiles (%s)", compile.id.c_str(),
        recipe->target.c_str(), target->id.c_str(), target->kind.c_str(),
        target->kind == "cuda" ? "a recipe with \"target\": {\"kind\": \"cuda\"}"
                               : "a recipe with \"target\": {\"kind\": \"cpu\"}");
  if (target->agent) {
    const json &artifacts = compile.summary.value("artifacts", json::object());
    if (!artifacts.contains("sharedLibrary"))
      return llvm::createStringError(
          "compile %s has no model library to send to agent '%s': compile with \"outputs\": "
          "{\"sharedLibrary\": true}",
          compile.id.c_str(), target->agentName.c_str());
  }
  return target;
}


llvm::Expected<Recipe> CompileService::parseStoredRecipe(const std::string &text,
                                                         const std::string &name) {
  metrics.countRecipeParse();
  return parseRecipe(text, name);
}

json CompileService::importModel(JobContext &job, const std::string &name,
                                 const std::string &bytes) {
  std::string id = sha256Hex(bytes);
  if (auto existing = storage.getModel(id))
    return {{"model", modelSummary(*existing)}, {"existing", true}};
  JobDirectory dir(config.dataDir, job.id);
  std::string file = modelFileName(name);
  writeFile(dir.file(file), bytes);
  job.progress(0.2, "importing");
  WorkerReply reply = workers.call(job, "graph", {{"model", dir.file(file)}}, {},
                                   "importing '" + name + "'", dir.path);
  if (reply.blobs.empty())
    throw JobFailure{kJobInternal, "the import returned no graph"};
  std::string graphText = std::move(reply.blobs[0]);
  json graph = json::parse(graphText, nullptr, false);
  if (graph.is_discarded())
    throw JobFailure{kJobInternal, "the import wrote graph JSON that does not parse"};
  job.progress(0.8, "storing");
  ModelRow row;
  row.id = id;
  row.name = name;
  row.bytes = int64_t(bytes.size());
  row.artifact = cache.storeArtifact(bytes, isMlirModel(name) ? "text/x-mlir" : "application/x-onnx");
  row.graphArtifact = cache.storeArtifact(graphText, "application/json");
  int64_t ops = 0;
  for (const json &node : graph.value("nodes", json::array()))
    ops += node.value("op", "") != "input" && node.value("op", "") != "output";
  row.summary = {{"inputs", tensorSpecs(graph, "input")},
                 {"outputs", tensorSpecs(graph, "output")},
                 {"opCount", ops}};
  row.createdAt = nowIso8601();
  storage.putModel(row);
  return {{"model", modelSummary(row)}, {"existing", false}};
}

llvm::Expected<CompilePlan> CompileService::planCompile(const ModelRow &model,
                                                        const std::string &recipeText,
                                                        const std::string &recipeName) {
  CompilePlan plan;
  plan.compileId = randomHex(16);
  plan.modelId = model.id;
  plan.modelName = model.name;
  plan.recipeText = recipeText.empty() ? defaultRecipeText().str() : recipeText;
  plan.recipeName = recipeName.empty() ? (recipeText.empty() ? "built-in" : "recipe.json")
                                       : recipeName;
  auto recipe = parseStoredRecipe(plan.recipeText, plan.recipeName);
  if (!recipe)
    return recipe.takeError();
  plan.options = recipe->cpuOptions();
  plan.outputs = recipe->outputs;
  if (!recipe->name.empty() && recipeName.empty() && !recipeText.empty())
    plan.recipeName = recipe->name;
  plan.recipeHash = sha256Hex(plan.recipeText);
  plan.graphKey = sha256Hex("graph\n" + model.id + "\n" + recipe->graphPipeline() + "\n" + version);
  CpuPipelineOptions options = recipe->cpuOptions();
  options.graphPasses.clear();
  const RecipeOutputs &out = recipe->outputs;
  std::string outputs = std::to_string(out.passRecord) + std::to_string(out.graphIR) +
                        std::to_string(out.llvmDialect) + std::to_string(out.llvmIR) +
                        std::to_string(out.object) + std::to_string(out.sharedLibrary) +
                        std::to_string(out.weightsFile) + std::to_string(out.ptx);
  plan.cacheKey = sha256Hex("compile\n" + plan.graphKey + "\n" + cpuPipeline(options) + "\n" +
                            outputs + "\n" + cpu + " " + isa);
  return plan;
}

json CompileService::reuseCompile(const CompilePlan &plan, const CompileRow &previous,
                                  double lookupMs) {
  CompileRow row = previous;
  row.id = plan.compileId;
  row.recipeHash = plan.recipeHash;
  row.createdAt = nowIso8601();
  json &summary = row.summary;
  if (!summary.contains("originalCompileMs"))
    summary["originalCompileMs"] = summary["compileMs"];
  summary["id"] = row.id;
  summary["recipeName"] = plan.recipeName;
  summary["recipeHash"] = plan.recipeHash;
  summary["cache"] = "hit";
  summary["compileMs"] = lookupMs;
  summary["createdAt"] = row.createdAt;
  cache.storeArtifact(plan.recipeText, "application/json");
  storage.putCompile(row);
  metrics.countCache("hit");
  return {{"compile", summary}};
}

json CompileService::compile(JobContext &job, const CompilePlan &plan) {
  auto start = Clock::now();
  JobDirectory dir(config.dataDir, job.id);
  cache.storeArtifact(plan.recipeText, "application/json");

  // One worker call: from the model through the graph passes and code
  // generation, or, when the graph passes' result is cached, from their IR.
  std::string cacheOutcome = "graph";
  std::optional<GraphCacheRow> graph = cache.findGraph(plan.graphKey);
  std::string graphRecordText;
  std::string input;
  json options = worker::toJson(plan.options);
  if (graph) {
    auto ir = cache.artifact(graph->graphIRArtifact);
    auto record = cache.artifact(graph->recordArtifact);
    if (!ir || !record) {
      graph.reset(); // an artifact went missing: compile from the model
    } else {
      job.progress(0.1, "graph passes reused from the cache");
      input = dir.file("graph.mlir");
      writeFile(input, ir->data);
      graphRecordText = record->data;
      options["graphPasses"] = "";
    }
  }
  if (!graph) {
    cacheOutcome = "miss";
    auto model = storage.getModel(plan.modelId);
    auto onnx = model ? cache.artifact(model->artifact) : nullptr;
    if (!onnx)
      throw JobFailure{kJobInternal, "model " + plan.modelId + " is not stored"};
    input = dir.file(modelFileName(plan.modelName));
    writeFile(input, onnx->data);
    job.progress(0.05, "graph passes and code generation");
  } else {
    job.progress(0.2, "code generation");
  }
  if (job.cancelled)
    throw JobFailure{kJobCancelled, "cancelled before the compile started"};
  WorkerReply reply = workers.call(job, "compile",
                                   {{"model", input},
                                    {"options", options},
                                    {"outputs", worker::toJson(plan.outputs)},
                                    {"record", true},
                                    {"outputDir", dir.file("out")},
                                    {"keepGraphIR", !graph}},
                                   {}, "the compile", dir.path);
  job.progress(0.9, "storing");
  if (reply.blobs.size() < 2)
    throw JobFailure{kJobInternal, "the compile returned no record"};
  auto record = parseRecord(reply.blobs[1], "the compile record");
  if (!record)
    throw JobFailure{kJobInternal, llvm::toString(record.takeError())};

  PassRecord merged;
  int64_t opsBefore = 0, opsAfterGraph = 0;
  if (graph) {
    // The cached graph-pass record, then this compile's code generation.
    if (!graphRecordText.empty()) {
      auto graphRecord = parseRecord(graphRecordText, "the graph-pass record");
      if (!graphRecord)
        throw JobFailure{kJobInternal, llvm::toString(graphRecord.takeError())};
      merged = std::move(*graphRecord);
    } else {
      merged.initial = record->initial;
    }
    opsBefore = countOps(merged.initial);
    opsAfterGraph = countOps(record->initial);
    merged.pipeline = merged.pipeline.empty() ? record->pipeline
                                              : merged.pipeline + " ; " + record->pipeline;
    int offset = int(merged.passes.size());
    for (PassSnapshot &pass : record->passes) {
      pass.index += offset;
      merged.passes.push_back(std::move(pass));
    }
  } else {
    merged = std::move(*record);
    size_t graphPasses = reply.result.value("graphPassCount", size_t(0));
    opsBefore = countOps(merged.initial);
    for (const FunctionSnapshot &f : merged.initial)
      if (const FunctionSnapshot *after = merged.functionBefore(int(graphPasses), f.name))
        opsAfterGraph += int64_t(after->ops.size());
    // The graph passes' part of the record is cached with their IR, for a
    // compile of the same model and graph passes with other code generation.
    PassRecord graphPart;
    graphPart.initial = merged.initial;
    graphPart.pipeline = merged.pipeline;
    graphPart.passes.assign(merged.passes.begin(),
                            merged.passes.begin() + std::min(graphPasses, merged.passes.size()));
    GraphCacheRow row;
    row.graphKey = plan.graphKey;
    row.graphIRArtifact = cache.storeArtifact(reply.blobs[0], "text/x-mlir");
    row.recordArtifact = cache.storeArtifact(graphPasses ? printRecord(graphPart) : std::string(),
                                             "application/json");
    row.stats = json::object();
    storage.putGraphCache(row);
    cache.rememberGraph(row);
    graph = row;
  }

  json artifacts = json::object();
  artifacts["graphIR"] = cache.artifactRef(graph->graphIRArtifact);
  std::string recordText = printRecord(merged);
  artifacts["record"] = cache.artifactRef(cache.storeArtifact(recordText, "application/json"));
  for (const json &path : reply.result.value("written", json::array())) {
    llvm::StringRef file = path.get_ref<const std::string &>();
    for (auto [key, suffix, media] : {std::tuple{"object", ".o", "application/x-object"},
                                      {"llvmIR", ".ll", "text/x-llvm"},
                                      {"llvmDialect", ".llvm.mlir", "text/x-mlir"},
                                      {"sharedLibrary", ".so", "application/x-sharedlib"},
                                      {"header", ".h", "text/x-c"},
                                      {"ptx", ".ptx", "text/plain"},
                                      {"weights", ".weights", "application/octet-stream"}})
      if (file.ends_with(suffix))
        if (auto bytes = readFile(file.str()))
          artifacts[key] = cache.artifactRef(cache.storeArtifact(*bytes, media));
  }

  CompileRow row;
  row.id = plan.compileId;
  row.modelId = plan.modelId;
  row.recipeHash = plan.recipeHash;
  row.cacheKey = plan.cacheKey;
  row.graphKey = plan.graphKey;
  row.createdAt = nowIso8601();
  double ms = msSince(start);
  row.summary = {{"id", row.id},
                 {"model", row.modelId},
                 {"recipeName", plan.recipeName},
                 {"recipeHash", plan.recipeHash},
                 {"cacheKey", plan.cacheKey},
                 {"cache", cacheOutcome},
                 {"compileMs", ms},
                 {"opsBefore", opsBefore},
                 {"opsAfterGraphPasses", opsAfterGraph},
                 {"passCount", merged.passes.size()},
                 {"kernels", reply.result.value("kernels", json::object())},
                 {"artifacts", artifacts},
                 {"createdAt", row.createdAt}};
  storage.putCompile(row);
  cache.rememberCompile(row);
  metrics.countCache(cacheOutcome);
  metrics.observeCompile(ms / 1000);
  return {{"compile", row.summary}};
}

llvm::Expected<std::vector<RunInput>> CompileService::decodeRunInputs(const ModelRow &model,
                                                                      const json &inputs) {
  std::vector<RunInput> decoded;
  if (inputs.is_null())
    return decoded;
  const json &specs = model.summary["inputs"];
  for (const auto &[name, value] : inputs.items()) {
    std::string at = "/inputs/" + name;
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const json &s) { return s.value("name", "") == name; });
    if (spec == specs.end()) {
      std::string names;
      for (const json &s : specs)
        names += (names.empty() ? "" : ", ") + s.value("name", "");
      return llvm::createStringError("%s: the model has no input '%s' (inputs: %s)", at.c_str(),
                                     name.c_str(), names.c_str());
    }
    auto dtype = dtypeNamed(value["dtype"].get<std::string>());
    if (!dtype || *dtype != dtypeNamed((*spec)["dtype"].get<std::string>()))
      return llvm::createStringError("%s/dtype: the input is %s", at.c_str(),
                                     (*spec)["dtype"].get<std::string>().c_str());
    std::vector<int64_t> shape = value["shape"].get<std::vector<int64_t>>();
    std::vector<int64_t> expected = (*spec)["shape"].get<std::vector<int64_t>>();
    bool matches = shape.size() == expected.size();
    for (size_t i = 0; matches && i < shape.size(); ++i)
      matches = expected[i] < 0 || expected[i] == shape[i];
    if (!matches)
      return llvm::createStringError("%s/shape: %s does not fit the input's shape %s", at.c_str(),
                                     value["shape"].dump().c_str(), (*spec)["shape"].dump().c_str());
    size_t bad = 0;
    auto bytes = base64Decode(value["data"].get_ref<const std::string &>(), bad);
    if (!bytes)
      return llvm::createStringError("%s/data: not base64 (at character %zu)", at.c_str(), bad);
    auto tensor = std::make_shared<HostTensor>(*dtype, shape);
    if (int64_t(bytes->size()) != tensor->numBytes())
      return llvm::createStringError("%s/data: %zu bytes, but %s needs %lld", at.c_str(),
                                     bytes->size(), tensor->describe().c_str(),
                                     (long long)tensor->numBytes());
    std::memcpy(tensor->data(), bytes->data(), bytes->size());
    decoded.push_back({name, tensor});
  }
  return decoded;
}

json CompileService::workerRunParams(const CompileRow &compile, const std::string &graphFile,
                                     uint32_t seed) {
  auto ir = cache.artifact(compile.summary["artifacts"]["graphIR"]["hash"]);
  auto recipeText = cache.artifact(compile.recipeHash);
  if (!ir || !recipeText)
    throw JobFailure{kJobInternal, "the compile's artifacts are not stored"};
  auto recipe = parseStoredRecipe(recipeText->data, compile.summary.value("recipeName", "recipe"));
  if (!recipe)
    throw JobFailure{kJobInternal, "the stored recipe: " + llvm::toString(recipe.takeError())};
  // The graph IR already had the graph passes.
  CpuPipelineOptions options = recipe->cpuOptions();
  options.graphPasses.clear();
  writeFile(graphFile, ir->data);
  return {{"model", graphFile},
          {"options", worker::toJson(options)},
          {"specialize", recipe->shapes == "specialize"},
          {"randomInputs", true},
          {"seed", seed}};
}

json CompileService::run(JobContext &job, const CompileRow &compile,
                         const std::vector<RunInput> &inputs, uint32_t seed, int iterations,
                         const DeviceTarget &device) {
  JobDirectory dir(config.dataDir, job.id);
  if (device.agent) {
    json reply = runOnAgent(job, compile, inputs, seed, iterations, device, false);
    job.progress(0.9, "storing outputs");
    std::vector<double> samples = reply.value("samplesMs", std::vector<double>{});
    driver::Latency latency = driver::summarize(samples);
    json result = {{"iterations", iterations},
                   {"latencyMs", {{"median", latency.medianMs}, {"min", latency.minMs},
                                  {"p95", latency.p95Ms}}},
                   {"samplesMs", samples},
                   {"device", device.id}};
    json outputs = json::array();
    for (const json &out : reply.value("outputs", json::array())) {
      auto dtype = dtypeNamed(out.value("dtype", ""));
      size_t bad = 0;
      auto bytes = base64Decode(out.value("data", ""), bad);
      if (!dtype || !bytes)
        throw JobFailure{kJobInternal, "agent " + device.agentName + " sent an output that does "
                                       "not decode"};
      // The shape must account for the bytes sent before anything is allocated.
      std::vector<int64_t> shape = out.value("shape", std::vector<int64_t>{});
      uint64_t elements = 1;
      bool fits = shape.size() <= 16;
      for (int64_t d : shape)
        fits &= d >= 0 && (d == 0 || elements <= (uint64_t(1) << 40) / uint64_t(d)) &&
                (elements *= uint64_t(d), true);
      if (!fits || elements * uint64_t(dtypeSize(*dtype)) != bytes->size())
        throw JobFailure{kJobInternal, "agent " + device.agentName + " sent an output whose shape "
                                       "does not fit its bytes"};
      HostTensor tensor(*dtype, shape);
      std::memcpy(tensor.data(), bytes->data(), bytes->size());
      outputs.push_back(storedOutput(out.value("name", ""), tensor, dir.file("output.npy")));
    }
    result["outputs"] = outputs;
    storage.putRun(randomHex(16), compile.id, "run", result);
    return result;
  }
  json params = workerRunParams(compile, dir.file("graph.mlir"), seed);
  params["iterations"] = iterations;
  if (device.kind == "cuda")
    params["cudaDevice"] = std::stoi(device.id.substr(device.id.find(':') + 1));
  json described = json::array();
  std::vector<std::string> blobs;
  for (const RunInput &input : inputs) {
    const HostTensor &t = *input.tensor;
    described.push_back({{"name", input.name},
                         {"dtype", dtypeName(t.dtype()).str()},
                         {"shape", std::vector<int64_t>(t.shape().begin(), t.shape().end())}});
    blobs.emplace_back(t.data(), size_t(t.numBytes()));
  }
  params["inputs"] = std::move(described);
  job.progress(0.1, "compiling and running");
  WorkerReply reply =
      workers.call(job, "run", std::move(params), std::move(blobs), "the run", dir.path);
  job.progress(0.9, "storing outputs");

  json result = {{"iterations", iterations},
                 {"latencyMs", reply.result.value("latencyMs", json::object())},
                 {"samplesMs", reply.result.value("samplesMs", json::array())},
                 {"kernels", reply.result.value("kernels", json::object())},
                 {"device", device.id}};
  json outputs = json::array();
  const json described_outputs = reply.result.value("outputs", json::array());
  if (described_outputs.size() != reply.blobs.size())
    throw JobFailure{kJobInternal, "the run returned outputs that do not match their blobs"};
  for (size_t i = 0; i < reply.blobs.size(); ++i) {
    const json &spec = described_outputs[i];
    auto dtype = dtypeNamed(spec.value("dtype", ""));
    if (!dtype)
      throw JobFailure{kJobInternal, "the run returned an output of unknown dtype"};
    HostTensor tensor(*dtype, spec.value("shape", std::vector<int64_t>{}));
    if (tensor.numBytes() != int64_t(reply.blobs[i].size()))
      throw JobFailure{kJobInternal, "the run returned an output of the wrong size"};
    std::memcpy(tensor.data(), reply.blobs[i].data(), reply.blobs[i].size());
    outputs.push_back(storedOutput(spec.value("name", ""), tensor, dir.file("output.npy")));
  }
  result["outputs"] = outputs;
  storage.putRun(randomHex(16), compile.id, "run", result);
  return result;
}

json CompileService::storedOutput(const std::string &name, const HostTensor &tensor,
                                  const std::string &npyPath) {
  std::string bytes = npyBytes(tensor, npyPath);
  json entry = {{"name", name},
                {"dtype", dtypeName(tensor.dtype()).str()},
                {"shape", std::vector<int64_t>(tensor.shape().begin(), tensor.shape().end())},
                {"npy", cache.artifactRef(cache.storeArtifact(bytes, "application/x-numpy"))}};
  if (uint64_t(tensor.numBytes()) <= config.limits.inlineResultBytes)
    entry["data"] = base64Encode(std::string_view(tensor.data(), tensor.numBytes()));
  return entry;
}

json CompileService::runOnAgent(JobContext &job, const CompileRow &compile,
                                const std::vector<RunInput> &inputs, uint32_t seed,
                                int iterations, const DeviceTarget &device, bool profile) {
  auto library = cache.artifact(compile.summary["artifacts"]["sharedLibrary"]["hash"]);
  if (!library)
    throw JobFailure{kJobInternal, "the compile's model library is not stored"};
  agent::AgentClient client(*device.agent, config.limits.jobTimeoutSeconds);
  job.progress(0.1, "sending the model library to agent " + device.agentName);
  auto uploaded = client.upload(library->data);
  if (!uploaded)
    throw JobFailure{kJobCompilerError, llvm::toString(uploaded.takeError())};
  json request = {{"library", (*uploaded)["id"]},
                  {"seed", seed},
                  {"iterations", iterations},
                  {"profile", profile},
                  {"outputs", profile ? "none" : "data"}};
  if (device.kind == "cuda")
    request["device"] = device.gpuIndex;
  if (!inputs.empty()) {
    json given = json::object();
    for (const RunInput &input : inputs) {
      const HostTensor &t = *input.tensor;
      given[input.name] = {
          {"dtype", dtypeName(t.dtype()).str()},
          {"shape", std::vector<int64_t>(t.shape().begin(), t.shape().end())},
          {"data", base64Encode(std::string_view(t.data(), size_t(t.numBytes())))}};
    }
    request["inputs"] = std::move(given);
  }
  job.progress(0.3, (profile ? "profiling on " : "running on ") + device.id);
  auto reply = client.run(request);
  if (!reply)
    throw JobFailure{kJobCompilerError, llvm::toString(reply.takeError())};
  return std::move(*reply);
}

json CompileService::profile(JobContext &job, const CompileRow &compile, uint32_t seed,
                             int iterations, const DeviceTarget &device) {
  JobDirectory dir(config.dataDir, job.id);
  if (device.agent) {
    if (device.kind != "cuda")
      throw JobFailure{kJobCompilerError,
                       "an agent's CPU times whole runs only; profile a CPU compile on the "
                       "daemon's cpu device (its code brackets each op)"};
    json reply = runOnAgent(job, compile, {}, seed, iterations, device, true);
    // The agent's runs, as openopt profile makes its report of them.
    std::vector<driver::GpuRunTiming> runs;
    std::vector<double> samples = reply.value("samplesMs", std::vector<double>{});
    const json kernels = reply.value("kernels", json::array());
    double at = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      driver::GpuRunTiming run{at, samples[i], {}};
      at += samples[i];
      if (i < kernels.size())
        for (const json &k : kernels[i])
          run.kernels.push_back({k.value("name", "?"), k.value("start_ms", 0.0),
                                 k.value("milliseconds", 0.0), k.value("flops", int64_t(-1)),
                                 k.value("bytes", int64_t(-1))});
      runs.push_back(std::move(run));
    }
    driver::ProfileReport report;
    auto model = storage.getModel(compile.modelId);
    report.model = model ? model->name : compile.modelId;
    report.function = "main";
    report.warmup = 3;
    driver::addGpuRuns(report, runs, /*trace=*/true);
    std::string table, trace;
    llvm::raw_string_ostream(table) << driver::profileJson(report);
    llvm::raw_string_ostream(trace) << *report.trace;
    json result = {
        {"profile", json::parse(table)},
        {"trace", cache.artifactRef(cache.storeArtifact(trace, "application/json"))},
        {"device", device.id}};
    storage.putRun(randomHex(16), compile.id, "profile", result);
    return result;
  }
  json params = workerRunParams(compile, dir.file("graph.mlir"), seed);
  params["iterations"] = iterations;
  params["trace"] = true;
  if (device.kind == "cuda")
    params["cudaDevice"] = std::stoi(device.id.substr(device.id.find(':') + 1));
  job.progress(0.1, "compiling with timers and running");
  WorkerReply reply =
      workers.call(job, "profile", std::move(params), {}, "the profile", dir.path);
  if (reply.blobs.empty() || !reply.result.contains("profile"))
    throw JobFailure{kJobInternal, "the profile returned no table"};
  json result = {
      {"profile", reply.result["profile"]},
      {"trace", cache.artifactRef(cache.storeArtifact(reply.blobs[0], "application/json"))},
      {"device", device.id}};
  storage.putRun(randomHex(16), compile.id, "profile", result);
  return result;
}

std::shared_ptr<const PassRecord> CompileService::passRecord(const CompileRow &compile) {
  std::string hash = compile.summary["artifacts"]["record"]["hash"];
  if (auto hit = records.get(hash))
    return hit;
  auto artifact = cache.artifact(hash);
  if (!artifact)
    return nullptr;
  auto record = parseRecord(artifact->data, "the pass record");
  if (!record) {
    llvm::consumeError(record.takeError());
    return nullptr;
  }
  auto value = std::make_shared<const PassRecord>(std::move(*record));
  records.put(hash, value, artifact->data.size());
  return value;
}

json CompileService::graphView(const CompileRow &compile, const std::string &key,
                               const std::pair<std::string, std::string> &model,
                               const std::string &after, const std::vector<RecipePass> &passes) {
  if (auto hit = graphs.get(key))
    return *hit;
  JobContext job;
  job.id = "graph-" + compile.id + "-" + randomHex(4);
  job.deadline = Clock::now() + std::chrono::seconds(config.limits.jobTimeoutSeconds);
  JobDirectory dir(config.dataDir, job.id);
  writeFile(dir.file(model.first), model.second);
  WorkerReply reply = viewWorkers.call(
      job, "graph",
      {{"model", dir.file(model.first)}, {"after", after}, {"passes", worker::toJson(passes)}}, {},
      "the graph view", dir.path);
  if (reply.blobs.empty())
    throw JobFailure{kJobInternal, "the graph view returned no graph"};
  auto graph = std::make_shared<const json>(json::parse(reply.blobs[0], nullptr, false));
  if (graph->is_discarded())
    throw JobFailure{kJobInternal, "the graph view returned JSON that does not parse"};
  graphs.put(key, graph, reply.blobs[0].size());
  return *graph;
}

json CompileService::graphAfterPasses(const CompileRow &compile) {
  if (auto hit = graphs.get(compile.graphKey))
    return *hit;
  auto ir = cache.artifact(compile.summary["artifacts"]["graphIR"]["hash"]);
  if (!ir)
    throw JobFailure{kJobInternal, "the compile's graph IR is not stored"};
  return graphView(compile, compile.graphKey, {"graph.mlir", ir->data}, "", {});
}

json CompileService::graphAfterPass(const CompileRow &compile, const std::string &after) {
  std::string key = compile.graphKey + "@" + after;
  if (auto hit = graphs.get(key))
    return *hit;
  auto model = storage.getModel(compile.modelId);
  auto onnx = model ? cache.artifact(model->artifact) : nullptr;
  auto recipeText = cache.artifact(compile.recipeHash);
  if (!onnx || !recipeText)
    throw JobFailure{kJobInternal, "the compile's model or recipe is not stored"};
  auto recipe = parseStoredRecipe(recipeText->data, compile.summary.value("recipeName", "recipe"));
  if (!recipe)
    throw JobFailure{kJobInternal, "the stored recipe: " + llvm::toString(recipe.takeError())};
  return graphView(compile, key, {isMlirModel(model->name) ? "model.mlir" : "model.onnx", onnx->data}, after,
                   recipe->graphPasses);
}

} // namespace openopt::server
