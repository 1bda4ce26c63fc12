//===- ServerMethods.cpp - server/info and artifact/get ------------------===//
#include "api/Api.h"
#include "api/MethodSupport.h"

#include "Base64.h"

namespace openopt::server {

using namespace api;

namespace {

// Whether the bytes can go out as a JSON string.
bool isUtf8(const std::string &text) {
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::exception &) {
    return false;
  }
}

} // namespace

json Api::serverInfo(const json &, CallContext &context) {
  const Limits &limits = services.config.limits;
  return {{"name", "openoptd"},
          {"version", "0.1.0"},
          {"compilerVersion", services.compiler.compilerVersion()},
          {"target",
           {{"arch", "x86_64"}, {"cpu", services.compiler.hostCpu()},
            {"isa", services.compiler.hostIsa()}}},
          {"role", roleName(context.caller.role)},
          {"uptimeSeconds", std::chrono::duration<double>(Clock::now() - startedAt).count()},
          {"workers", services.config.workers},
          {"limits",
           {{"maxMessageBytes", limits.maxMessageBytes},
            {"maxModelBytes", limits.maxModelBytes},
            {"maxJobsPerClient", limits.maxJobsPerClient},
            {"jobTimeoutSeconds", limits.jobTimeoutSeconds},
            {"jobMemoryBytes", limits.jobMemoryBytes},
            {"inlineResultBytes", limits.inlineResultBytes}}},
          {"methods", methodsFor(context.caller.role)},
          {"devices", services.compiler.devices().list()}};
}

json Api::artifactGet(const json &params, CallContext &) {
  std::string hash = params["hash"];
  auto artifact = services.cache.artifact(hash);
  if (!artifact)
    throw notFound("no artifact " + hash);
  uint64_t limit = services.config.limits.maxMessageBytes / 2;
  if (artifact->data.size() > limit)
    throw rpc::Error{rpc::kLimitExceeded, "the artifact is " +
                                              std::to_string(artifact->data.size()) +
                                              " bytes; fetch it with GET /artifacts/" + hash};
  bool textual = llvm::StringRef(artifact->mediaType).starts_with("text/") ||
                 artifact->mediaType == "application/json";
  std::string encoding = params.value("encoding", textual ? "text" : "base64");
  if (encoding == "text" && !isUtf8(artifact->data))
    throw invalidParams("/encoding", "the artifact is not UTF-8 text; ask for base64");
  return {{"hash", hash},
          {"mediaType", artifact->mediaType},
          {"bytes", artifact->data.size()},
          {"encoding", encoding},
          {"content", encoding == "text" ? artifact->data : base64Encode(artifact->data)}};
}

} // namespace openopt::server
