//===- WorkerMethods.cpp - what an openopt-worker answers -----------------===//
#include "WorkerMethods.h"

#include "openopt/Driver/CompileModel.h"
#include "openopt/Driver/GraphView.h"
#include "openopt/Driver/ProfileModel.h"
#include "openopt/Driver/RunModel.h"

#include "llvm/Support/FormatVariadic.h"

#include <cstring>
#include <unistd.h>

namespace openopt::worker {

using server::worker::json;
using server::worker::Message;
namespace protocol = server::worker;

namespace {

/// A request the worker cannot serve: answered with its message.
struct BadRequest {
  std::string message;
};

json fromLlvm(const llvm::json::Value &value) {
  return json::parse(llvm::formatv("{0}", value).str());
}

std::string text(const llvm::json::Value &value) { return llvm::formatv("{0}", value).str(); }

const std::string &stringParam(const json &params, const char *name) {
  auto it = params.find(name);
  if (it == params.end() || !it->is_string())
    throw BadRequest{std::string("params.") + name + " must be a string"};
  return it->get_ref<const std::string &>();
}

unsigned countParam(const json &params, const char *name, unsigned fallback) {
  auto it = params.find(name);
  if (it == params.end())
    return fallback;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > 1000000)
    throw BadRequest{std::string("params.") + name + " must be an integer in [0, 1000000]"};
  return it->get<unsigned>();
}

DType dtypeParam(const std::string &name) {
  if (auto dtype = dtypeNamed(name))
    return *dtype;
  throw BadRequest{"unknown dtype '" + name + "'"};
}

json describe(const TensorSpec &spec, const HostTensor &tensor) {
  return {{"name", spec.name},
          {"dtype", dtypeName(tensor.dtype()).str()},
          {"shape", std::vector<int64_t>(tensor.shape().begin(), tensor.shape().end())}};
}

// The request's input tensors: params.inputs[i] describes blob i.
driver::InputSources inputsOf(const Message &request) {
  const json &params = request.header["params"];
  driver::InputSources sources;
  sources.random = params.value("randomInputs", true);
  sources.seed = countParam(params, "seed", 1);
  const json inputs = params.value("inputs", json::array());
  if (!inputs.is_array() || inputs.size() != request.blobs.size())
    throw BadRequest{"params.inputs must describe each blob"};
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<int64_t> shape = inputs[i].value("shape", std::vector<int64_t>{});
    auto tensor = std::make_shared<HostTensor>(dtypeParam(inputs[i].value("dtype", "")), shape);
    if (tensor->numBytes() != int64_t(request.blobs[i].size()))
      throw BadRequest{llvm::formatv("input {0}: {1} bytes for {2}", i, request.blobs[i].size(),
                                     tensor->describe())
                           .str()};
    std::memcpy(tensor->data(), request.blobs[i].data(), request.blobs[i].size());
    sources.tensors.emplace_back(inputs[i].value("name", ""), std::move(tensor));
  }
  return sources;
}

json kernelsJson(const KernelStats &kernels) {
  return {{"compiled", kernels.compiled},
          {"reused", kernels.reused},
          {"distinct", kernels.distinct},
          {"calls", kernels.calls},
          {"glueReused", kernels.glueReused}};
}

Message compile(mlir::MLIRContext &context, const json &params) {
  driver::CompileRequest request;
  request.modelPath = stringParam(params, "model");
  request.options = protocol::cpuOptionsFromJson(params.value("options", json::object()));
  request.outputs = protocol::outputsFromJson(params.value("outputs", json::object()));
  request.record = params.value("record", false);
  request.outputDir = stringParam(params, "outputDir");
  request.keepGraphIR = params.value("keepGraphIR", false);
  auto result = driver::compileModel(context, request, [](llvm::StringRef) {});
  if (!result)
    throw BadRequest{llvm::toString(result.takeError())};
  Message reply;
  reply.header["result"] = {{"milliseconds", result->milliseconds},
                            {"opsBefore", result->opsBefore},
                            {"opsAfterGraphPasses", result->opsAfterGraphPasses},
                            {"graphPassCount", result->graphPassCount},
                            {"kernels", kernelsJson(result->kernels)},
                            {"written", result->written}};
  // blob 0: the graph IR (empty unless asked), blob 1: the pass record.
  reply.blobs.push_back(std::move(result->graphIR));
  reply.blobs.push_back(result->record ? text(result->record->toJSON()) : "");
  return reply;
}

Message run(mlir::MLIRContext &context, const Message &message) {
  const json &params = message.header["params"];
  driver::RunRequest request;
  request.modelPath = stringParam(params, "model");
  request.options = protocol::cpuOptionsFromJson(params.value("options", json::object()));
  request.specialize = params.value("specialize", false);
  request.inputs = inputsOf(message);
  request.iterations = countParam(params, "iterations", 0);
  auto result = driver::runModel(context, request);
  if (!result)
    throw BadRequest{llvm::toString(result.takeError())};
  Message reply;
  json outputs = json::array();
  for (size_t i = 0; i < result->outputs.size(); ++i) {
    outputs.push_back(describe(result->outputSpecs[i], result->outputs[i]));
    reply.blobs.emplace_back(result->outputs[i].data(), result->outputs[i].numBytes());
  }
  reply.header["result"] = {{"compileMs", result->compileMs},
                            {"kernels", kernelsJson(result->kernels)},
                            {"latencyMs",
                             {{"median", result->latency.medianMs},
                              {"min", result->latency.minMs},
                              {"p95", result->latency.p95Ms}}},
                            {"samplesMs", result->samplesMs},
                            {"outputs", outputs},
                            {"notes", result->notes}};
  return reply;
}

Message profile(mlir::MLIRContext &context, const Message &message) {
  const json &params = message.header["params"];
  driver::ProfileRequest request;
  request.modelPath = stringParam(params, "model");
  request.options = protocol::cpuOptionsFromJson(params.value("options", json::object()));
  request.specialize = params.value("specialize", false);
  request.inputs = inputsOf(message);
  request.iterations = std::max(1u, countParam(params, "iterations", 10));
  request.warmup = countParam(params, "warmup", 3);
  request.trace = params.value("trace", false);
  auto report = driver::profileModel(context, request);
  if (!report)
    throw BadRequest{llvm::toString(report.takeError())};
  Message reply;
  reply.header["result"] = {{"profile", fromLlvm(driver::profileJson(*report))},
                            {"compileMs", report->compileMs},
                            {"notes", report->notes}};
  reply.blobs.push_back(report->trace ? text(*report->trace) : "");
  return reply;
}

Message graph(mlir::MLIRContext &context, const json &params) {
  driver::GraphRequest request;
  request.modelPath = stringParam(params, "model");
  request.after = params.value("after", "");
  request.recipe.graphPasses = protocol::passesFromJson(params.value("passes", json::array()));
  auto graph = driver::graphView(context, request);
  if (!graph)
    throw BadRequest{llvm::toString(graph.takeError())};
  Message reply;
  reply.header["result"] = json::object();
  // The graph can be large: it travels as a blob of JSON text.
  reply.blobs.push_back(text(*graph));
  return reply;
}

} // namespace

Message answer(mlir::MLIRContext &context, const Message &request) {
  Message reply;
  try {
    const std::string method = request.header.value("method", "");
    const json params = request.header.value("params", json::object());
    // Which GPU a cuda model's session opens (the runtime reads it when a
    // session first runs; a worker runs one job at a time).
    if (params.contains("cudaDevice"))
      ::setenv("OPENOPT_CUDA_DEVICE", std::to_string(params.value("cudaDevice", 0)).c_str(), 1);
    if (method == "hello")
      reply.header["result"] = {{"protocol", protocol::kProtocolVersion}, {"pid", ::getpid()}};
    else if (method == "compile")
      reply = compile(context, params);
    else if (method == "run")
      reply = run(context, request);
    else if (method == "profile")
      reply = profile(context, request);
    else if (method == "graph")
      reply = graph(context, params);
    else
      reply.header["error"] = {{"message", "unknown method '" + method + "'"}};
  } catch (const BadRequest &bad) {
    reply = Message();
    reply.header["error"] = {{"message", bad.message}};
  } catch (const json::exception &e) {
    reply = Message();
    reply.header["error"] = {{"message", std::string("malformed request: ") + e.what()}};
  }
  reply.header["id"] = request.header.value("id", json());
  return reply;
}

} // namespace openopt::worker
