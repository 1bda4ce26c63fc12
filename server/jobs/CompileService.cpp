//===- CompileService.cpp - the daemon's jobs, done by the openopt CLI ----===//
#include "jobs/CompileService.h"

#include "Base64.h"
#include "Hash.h"
#include "Log.h"
#include "jobs/Subprocess.h"

#include "openopt/Codegen/CPU/CpuPipeline.h"
#include "openopt/Recipe/Recipe.h"
#include "openopt/Runtime/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <cstring>
#include <fstream>
#include <regex>

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

std::optional<DType> parseDType(const std::string &name) {
  for (DType t : {DType::F16, DType::BF16, DType::F32, DType::F64, DType::I8, DType::I16,
                  DType::I32, DType::I64, DType::U8, DType::U16, DType::U32, DType::U64,
                  DType::Bool})
    if (dtypeName(t) == name)
      return t;
  return std::nullopt;
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

CompileService::CompileService(const ServerConfig &config, Storage &storage, Metrics &metrics,
                               CompileCache &cache)
    : config(config), storage(storage), metrics(metrics), cache(cache),
      records(config.memoryCacheBytes / 8), graphs(config.memoryCacheBytes / 8) {
  auto binary = readFile(config.compilerPath);
  version = std::string("0.1.0+") + (binary ? sha256Hex(*binary).substr(0, 12) : "unknown");
  cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  isa = features.lookup("avx512f") ? "avx512" : features.lookup("avx2") ? "avx2" : "scalar";
}


std::string CompileService::runCompiler(JobContext &job, const std::vector<std::string> &args,
                                        const std::string &what, const std::string &directory) {
  std::vector<std::string> argv = {config.compilerPath};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions options;
  options.workingDirectory = directory;
  options.memoryBytes = config.limits.jobMemoryBytes;
  options.deadline = job.deadline;
  options.cancelled = &job.cancelled;
  auto start = Clock::now();
  SubprocessResult result = runSubprocess(argv, options);
  logEvent(spdlog::level::debug, "job.step",
           {{"job", job.id}, {"step", what}, {"ms", msSince(start)}, {"exit", result.exitCode}});
  if (result.ok())
    return result.out;
  using Ending = SubprocessResult::Ending;
  if (result.ending == Ending::Cancelled)
    throw JobFailure{kJobCancelled, "cancelled during " + what};
  if (result.ending == Ending::TimedOut)
    throw JobFailure{kJobTimedOut, what + " exceeded the job time limit of " +
                                       std::to_string(config.limits.jobTimeoutSeconds) + " s"};
  static const std::regex outOfMemory("out of memory|bad_alloc|Cannot allocate memory",
                                      std::regex::icase);
  if (std::regex_search(result.err, outOfMemory))
    throw JobFailure{kJobOutOfMemory,
                     what + " exceeded the job memory limit of " +
                         std::to_string(config.limits.jobMemoryBytes >> 20) + " MiB"};
  throw JobFailure{kJobCompilerError, result.describe(what)};
}

json CompileService::importModel(JobContext &job, const std::string &name,
                                 const std::string &bytes) {
  std::string id = sha256Hex(bytes);
  if (auto existing = storage.getModel(id))
    return {{"model", modelSummary(*existing)}, {"existing", true}};
  JobDirectory dir(config.dataDir, job.id);
  std::string file = tensorFileName(name);
  if (!llvm::StringRef(file).ends_with(".onnx"))
    file += ".onnx";
  writeFile(dir.file(file), bytes);
  job.progress(0.2, "importing");
  runCompiler(job, {"graph", file, "-o", "graph.json"}, "importing '" + name + "'", dir.path);
  std::string graphText = requireFile(dir.file("graph.json"), "the import");
  json graph = json::parse(graphText, nullptr, false);
  if (graph.is_discarded())
    throw JobFailure{kJobInternal, "the import wrote graph JSON that does not parse"};
  job.progress(0.8, "storing");
  ModelRow row;
  row.id = id;
  row.name = name;
  row.bytes = int64_t(bytes.size());
  row.artifact = cache.storeArtifact(bytes, "application/x-onnx");
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
  auto recipe = parseRecipe(plan.recipeText, plan.recipeName);
  if (!recipe)
    return recipe.takeError();
  if (!recipe->name.empty() && recipeName.empty() && !recipeText.empty())
    plan.recipeName = recipe->name;
  plan.recipeHash = sha256Hex(plan.recipeText);
  plan.graphKey = sha256Hex("graph\n" + model.id + "\n" + recipe->graphPipeline() + "\n" + version);
  CpuPipelineOptions options = recipe->cpuOptions();
  options.graphPasses.clear();
  const RecipeOutputs &out = recipe->outputs;
  std::string outputs = std::to_string(out.passRecord) + std::to_string(out.graphIR) +
                        std::to_string(out.llvmDialect) + std::to_string(out.llvmIR) +
                        std::to_string(out.object);
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
  writeFile(dir.file("recipe.json"), plan.recipeText);
  cache.storeArtifact(plan.recipeText, "application/json");

  std::string cacheOutcome = "graph";
  std::optional<GraphCacheRow> graph = cache.findGraph(plan.graphKey);
  std::string graphRecordText;
  if (graph) {
    job.progress(0.1, "graph passes reused from the cache");
    auto ir = cache.artifact(graph->graphIRArtifact);
    auto record = cache.artifact(graph->recordArtifact);
    if (!ir || !record)
      graph.reset(); // an artifact went missing: compile from the model
    else {
      writeFile(dir.file("graph.mlir"), ir->data);
      graphRecordText = record->data;
    }
  }
  if (!graph) {
    cacheOutcome = "miss";
    auto model = storage.getModel(plan.modelId);
    auto onnx = model ? cache.artifact(model->artifact) : nullptr;
    if (!onnx)
      throw JobFailure{kJobInternal, "model " + plan.modelId + " is not stored"};
    std::string file = tensorFileName(plan.modelName);
    if (!llvm::StringRef(file).ends_with(".onnx"))
      file += ".onnx";
    writeFile(dir.file(file), onnx->data);
    job.progress(0.05, "graph passes");
    runCompiler(job,
                {"opt", file, "--recipe", "recipe.json", "--graph-only", "--record", "graph-record",
                 "--print-locations", "-o", "graph.mlir"},
                "the graph passes", dir.path);
    std::string ir = requireFile(dir.file("graph.mlir"), "the graph passes");
    // An empty graph pipeline writes no record: start the record at the IR.
    graphRecordText = readFile(dir.file("graph-record/record.json")).value_or("");
    GraphCacheRow row;
    row.graphKey = plan.graphKey;
    row.graphIRArtifact = cache.storeArtifact(ir, "text/x-mlir");
    row.recordArtifact = cache.storeArtifact(graphRecordText, "application/json");
    row.stats = json::object();
    storage.putGraphCache(row);
    cache.rememberGraph(row);
    graph = row;
  }
  if (job.cancelled)
    throw JobFailure{kJobCancelled, "cancelled after the graph passes"};

  job.progress(0.4, "code generation");
  runCompiler(job,
              {"compile", "graph.mlir", "--recipe", "recipe.json", "--no-graph-passes", "--record",
               "-o", "out"},
              "code generation", dir.path);
  job.progress(0.9, "storing");

  auto lowering = parseRecord(requireFile(dir.file("out/record.json"), "code generation"),
                              "the code generation record");
  if (!lowering)
    throw JobFailure{kJobInternal, llvm::toString(lowering.takeError())};
  PassRecord merged;
  if (!graphRecordText.empty()) {
    auto graphRecord = parseRecord(graphRecordText, "the graph-pass record");
    if (!graphRecord)
      throw JobFailure{kJobInternal, llvm::toString(graphRecord.takeError())};
    merged = std::move(*graphRecord);
  } else {
    merged.initial = lowering->initial;
  }
  int64_t opsBefore = countOps(merged.initial);
  int64_t opsAfterGraph = countOps(lowering->initial);
  merged.pipeline = merged.pipeline.empty() ? lowering->pipeline
                                            : merged.pipeline + " ; " + lowering->pipeline;
  int offset = int(merged.passes.size());
  for (PassSnapshot &pass : lowering->passes) {
    pass.index += offset;
    merged.passes.push_back(std::move(pass));
  }

  json artifacts = json::object();
  artifacts["graphIR"] = cache.artifactRef(graph->graphIRArtifact);
  std::string recordText = printRecord(merged);
  artifacts["record"] = cache.artifactRef(cache.storeArtifact(recordText, "application/json"));
  for (auto [key, suffix, media] : {std::tuple{"object", ".o", "application/x-object"},
                                    {"llvmIR", ".ll", "text/x-llvm"},
                                    {"llvmDialect", ".llvm.mlir", "text/x-mlir"}})
    if (auto bytes = readFile(dir.file(std::string("out/graph") + suffix)))
      artifacts[key] = cache.artifactRef(cache.storeArtifact(*bytes, media));

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
    auto dtype = parseDType(value["dtype"]);
    if (!dtype || *dtype != parseDType((*spec)["dtype"]))
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

json CompileService::run(JobContext &job, const CompileRow &compile,
                         const std::vector<RunInput> &inputs, uint32_t seed, int iterations) {
  JobDirectory dir(config.dataDir, job.id);
  auto ir = cache.artifact(compile.summary["artifacts"]["graphIR"]["hash"]);
  auto recipe = cache.artifact(compile.recipeHash);
  auto model = storage.getModel(compile.modelId);
  if (!ir || !recipe || !model)
    throw JobFailure{kJobInternal, "the compile's artifacts are not stored"};
  writeFile(dir.file("graph.mlir"), ir->data);
  writeFile(dir.file("recipe.json"), recipe->data);
  std::vector<std::string> args = {"run",         "graph.mlir",         "--recipe",
                                   "recipe.json", "--no-graph-passes",  "--random-inputs",
                                   "--seed",      std::to_string(seed), "--iterations",
                                   std::to_string(iterations), "--latency-samples",
                                   "--output-dir", "out"};
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string file = "input" + std::to_string(i) + ".npy";
    if (auto err = writeNpy(dir.file(file), *inputs[i].tensor))
      throw JobFailure{kJobInternal, llvm::toString(std::move(err))};
    args.push_back("--input");
    args.push_back(inputs[i].name + "=" + file);
  }
  job.progress(0.1, "compiling and running");
  std::string out = runCompiler(job, args, "the run", dir.path);
  job.progress(0.9, "storing outputs");

  json result = {{"iterations", iterations}};
  std::smatch m;
  static const std::regex latency(R"(latency_ms median=([0-9.]+) min=([0-9.]+) p95=([0-9.]+))");
  if (!std::regex_search(out, m, latency))
    throw JobFailure{kJobInternal, "the run printed no latency line"};
  result["latencyMs"] = {{"median", std::stod(m[1])}, {"min", std::stod(m[2])},
                         {"p95", std::stod(m[3])}};
  static const std::regex samplesLine(R"(latency_samples_ms ([0-9.,]*))");
  if (std::regex_search(out, m, samplesLine)) {
    json samples = json::array();
    std::string list = m[1].str();
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(list).split(parts, ',', -1, false);
    for (llvm::StringRef part : parts)
      samples.push_back(std::stod(part.str()));
    result["samplesMs"] = samples;
  }
  json outputs = json::array();
  for (const json &spec : model->summary["outputs"]) {
    std::string name = spec.value("name", "");
    std::string path = dir.file("out/" + tensorFileName(name) + ".npy");
    std::string bytes = requireFile(path, "the run");
    auto tensor = parseNpy(bytes, path);
    if (!tensor)
      throw JobFailure{kJobInternal, llvm::toString(tensor.takeError())};
    json entry = {{"name", name},
                  {"dtype", dtypeName(tensor->dtype()).str()},
                  {"shape", std::vector<int64_t>(tensor->shape().begin(), tensor->shape().end())},
                  {"npy", cache.artifactRef(cache.storeArtifact(bytes, "application/x-numpy"))}};
    if (uint64_t(tensor->numBytes()) <= config.limits.inlineResultBytes)
      entry["data"] = base64Encode(std::string_view(tensor->data(), tensor->numBytes()));
    outputs.push_back(entry);
  }
  result["outputs"] = outputs;
  storage.putRun(randomHex(16), compile.id, "run", result);
  return result;
}

json CompileService::profile(JobContext &job, const CompileRow &compile, uint32_t seed,
                             int iterations) {
  JobDirectory dir(config.dataDir, job.id);
  auto ir = cache.artifact(compile.summary["artifacts"]["graphIR"]["hash"]);
  auto recipe = cache.artifact(compile.recipeHash);
  if (!ir || !recipe)
    throw JobFailure{kJobInternal, "the compile's artifacts are not stored"};
  writeFile(dir.file("graph.mlir"), ir->data);
  writeFile(dir.file("recipe.json"), recipe->data);
  job.progress(0.1, "compiling with timers and running");
  runCompiler(job,
              {"profile", "graph.mlir", "--recipe", "recipe.json", "--no-graph-passes",
               "--random-inputs", "--seed", std::to_string(seed), "--iterations",
               std::to_string(iterations), "--json", "profile.json", "--trace", "trace.json"},
              "the profile", dir.path);
  json table = json::parse(requireFile(dir.file("profile.json"), "the profile"), nullptr, false);
  if (table.is_discarded())
    throw JobFailure{kJobInternal, "the profile wrote JSON that does not parse"};
  std::string trace = requireFile(dir.file("trace.json"), "the profile");
  json result = {{"profile", table},
                 {"trace", cache.artifactRef(cache.storeArtifact(trace, "application/json"))}};
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
                               const std::vector<std::pair<std::string, std::string>> &files,
                               std::vector<std::string> args) {
  if (auto hit = graphs.get(key))
    return *hit;
  JobContext job;
  job.id = "graph-" + compile.id + "-" + randomHex(4);
  job.deadline = Clock::now() + std::chrono::seconds(config.limits.jobTimeoutSeconds);
  JobDirectory dir(config.dataDir, job.id);
  for (const auto &[name, data] : files)
    writeFile(dir.file(name), data);
  args.insert(args.end(), {"-o", "graph.json"});
  runCompiler(job, args, "the graph view", dir.path);
  std::string text = requireFile(dir.file("graph.json"), "the graph view");
  auto graph = std::make_shared<const json>(json::parse(text, nullptr, false));
  if (graph->is_discarded())
    throw JobFailure{kJobInternal, "the graph view wrote JSON that does not parse"};
  graphs.put(key, graph, text.size());
  return *graph;
}

json CompileService::graphAfterPasses(const CompileRow &compile) {
  if (auto hit = graphs.get(compile.graphKey))
    return *hit;
  auto ir = cache.artifact(compile.summary["artifacts"]["graphIR"]["hash"]);
  if (!ir)
    throw JobFailure{kJobInternal, "the compile's graph IR is not stored"};
  return graphView(compile, compile.graphKey, {{"graph.mlir", ir->data}}, {"graph", "graph.mlir"});
}

json CompileService::graphAfterPass(const CompileRow &compile, const std::string &after) {
  std::string key = compile.graphKey + "@" + after;
  if (auto hit = graphs.get(key))
    return *hit;
  auto model = storage.getModel(compile.modelId);
  auto onnx = model ? cache.artifact(model->artifact) : nullptr;
  auto recipe = cache.artifact(compile.recipeHash);
  if (!onnx || !recipe)
    throw JobFailure{kJobInternal, "the compile's model or recipe is not stored"};
  return graphView(compile, key, {{"model.onnx", onnx->data}, {"recipe.json", recipe->data}},
                   {"graph", "model.onnx", "--recipe", "recipe.json", "--after", after});
}

} // namespace openopt::server
