//===- ModelMethods.cpp - model/import, list, get and graph --------------===//
#include "api/Api.h"
#include "api/MethodSupport.h"

#include "Base64.h"
#include "Hash.h"

#include "llvm/Support/MemoryBuffer.h"

namespace openopt::server {

using namespace api;

json Api::modelImport(const json &params, CallContext &context) {
  int sources = params.contains("data") + params.value("binary", false) + params.contains("path");
  if (sources != 1)
    throw invalidParams("", "give exactly one of data, binary or path");
  const uint64_t limit = services.config.limits.maxModelBytes;
  auto bytes = std::make_shared<std::string>();
  if (params.contains("data")) {
    const std::string &data = params["data"].get_ref<const std::string &>();
    if (data.size() / 4 * 3 > limit + 3)
      throw rpc::Error{rpc::kLimitExceeded, "the model is larger than the limit of " +
                                                std::to_string(limit) + " bytes"};
    size_t bad = 0;
    auto decoded = base64Decode(data, bad);
    if (!decoded)
      throw invalidParams("/data", "not base64 (at character " + std::to_string(bad) + ")");
    *bytes = std::move(*decoded);
  } else if (params.value("binary", false)) {
    if (context.binaryPayload.empty())
      throw invalidParams("/binary", "send this request as a binary message: its JSON text, a "
                                     "NUL byte, then the ONNX bytes");
    *bytes = std::string(context.binaryPayload);
  } else {
    if (!services.config.allowPaths)
      throw rpc::Error{rpc::kNotAllowed,
                       "model/import by path is off; start openoptd with --allow-paths"};
    std::string path = params["path"];
    auto buffer = llvm::MemoryBuffer::getFile(path, false, false);
    if (!buffer)
      throw notFound("cannot read '" + path + "': " + buffer.getError().message());
    *bytes = (*buffer)->getBuffer().str();
  }
  if (bytes->size() > limit)
    throw rpc::Error{rpc::kLimitExceeded, "the model is " + std::to_string(bytes->size()) +
                                              " bytes; the limit is " + std::to_string(limit) +
                                              " (--max-model-mib)"};
  if (bytes->empty())
    throw invalidParams(params.contains("data") ? "/data" : "", "the model is empty");
  checkJobLimit(context);
  std::string name = params["name"];
  std::string modelId = sha256Hex(*bytes);
  json jobParams = {{"name", name}, {"bytes", bytes->size()}, {"model", modelId}};
  CompileService &compiler = services.compiler;
  std::string job = services.jobs.submit(
      "import", jobParams, context.clientId, context.caller.tokenId,
      [&compiler, name, bytes](JobContext &job) { return compiler.importModel(job, name, *bytes); },
      context.notify);
  return {{"job", job}, {"model", modelId}};
}

json Api::modelList(const json &, CallContext &) {
  json models = json::array();
  for (const ModelRow &row : services.storage.listModels())
    models.push_back(modelSummary(row));
  return {{"models", models}};
}

json Api::modelGet(const json &params, CallContext &) {
  return {{"model", modelSummary(requireModel(params["model"]))}};
}

json Api::modelGraph(const json &params, CallContext &) {
  ModelRow model = requireModel(params["model"]);
  if (params.contains("after") && !params.contains("compile"))
    throw invalidParams("/after", "after names a pass of a compile: give compile too");
  if (params.contains("compile")) {
    CompileRow compile = requireCompile(params["compile"]);
    if (compile.modelId != model.id)
      throw invalidParams("/compile", "compile " + compile.id + " is of another model");
    json graph = params.contains("after")
                     ? services.compiler.graphAfterPass(compile, params["after"].get<std::string>())
                     : services.compiler.graphAfterPasses(compile);
    return inlineOrArtifact("graph", graph.dump(), "application/json", graph);
  }
  auto artifact = services.cache.artifact(model.graphArtifact);
  if (!artifact)
    throw rpc::Error{rpc::kServerError, "the model's graph is not stored"};
  if (artifact->data.size() > services.config.limits.inlineResultBytes)
    return {{"artifact", services.cache.artifactRef(model.graphArtifact)}};
  return {{"graph", json::parse(artifact->data)}};
}

} // namespace openopt::server
