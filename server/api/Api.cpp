//===- Api.cpp - WS /api: parsing, batches, roles, validation, audit ------===//
#include "api/Api.h"
#include "api/MethodSupport.h"

#include "Protocol.h"

#include "Base64.h"
#include "Hash.h"
#include "Log.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fstream>

namespace openopt::server {

using namespace api;

namespace {

#include "ApiSchemas.inc"

constexpr int kMaxNesting = 128;

std::string schemaFile(const std::string &method) {
  return method.substr(0, method.find('/')) + ".schema.json";
}

std::string schemaDef(const std::string &method, const char *suffix) {
  return schemaFile(method) + "#/$defs/" + method.substr(method.find('/') + 1) + "." + suffix;
}

} // namespace

llvm::Expected<SchemaSet> loadApiSchemas() {
  SchemaSet set;
  for (const auto &[name, text] : kApiSchemas) {
    json document = json::parse(text, nullptr, false);
    if (document.is_discarded())
      return llvm::createStringError("schemas/api/%s does not parse", name);
    if (auto problem = set.add(name, std::move(document)))
      return llvm::createStringError("schemas/api/%s", problem->c_str());
  }
  if (auto problem = set.checkReferences())
    return llvm::createStringError("schemas/api/%s", problem->c_str());
  return set;
}

const Api::Method Api::kMethods[] = {
    {"server/info", Role::Viewer, false, &Api::serverInfo},
    {"model/import", Role::Editor, true, &Api::modelImport},
    {"model/list", Role::Viewer, false, &Api::modelList},
    {"model/get", Role::Viewer, false, &Api::modelGet},
    {"model/graph", Role::Viewer, false, &Api::modelGraph},
    {"compile/start", Role::Editor, true, &Api::compileStart},
    {"compile/get", Role::Viewer, false, &Api::compileGet},
    {"compile/passes", Role::Viewer, false, &Api::compilePasses},
    {"compile/diff", Role::Viewer, false, &Api::compileDiff},
    {"compile/ir", Role::Viewer, false, &Api::compileIR},
    {"run/start", Role::Editor, true, &Api::runStart},
    {"profile/start", Role::Editor, true, &Api::profileStart},
    {"job/list", Role::Viewer, false, &Api::jobList},
    {"job/get", Role::Viewer, false, &Api::jobGet},
    {"job/cancel", Role::Editor, true, &Api::jobCancel},
    {"artifact/get", Role::Viewer, false, &Api::artifactGet},
    {"token/create", Role::Admin, true, &Api::tokenCreate},
    {"token/list", Role::Admin, false, &Api::tokenList},
    {"token/revoke", Role::Admin, true, &Api::tokenRevoke},
    {"audit/list", Role::Admin, false, &Api::auditList},
};

Api::Api(Services services) : services(services) {}

std::vector<std::string> Api::methodsFor(Role role) const {
  std::vector<std::string> names;
  for (const Method &m : kMethods)
    if (role >= m.role)
      names.push_back(m.name);
  return names;
}

std::vector<std::string> Api::handleText(std::string_view text, CallContext &context) {
  std::vector<std::string> out;
  auto reply = [&](const json &message) { out.push_back(rpc::serialize(message)); };
  if (auto at = openopt::lsp::jsonNestingExceeds(text, kMaxNesting)) {
    reply(rpc::makeError(nullptr, {rpc::kParseError,
                                   "invalid JSON: nested deeper than " +
                                       std::to_string(kMaxNesting) + " levels at byte " +
                                       std::to_string(*at)}));
    return out;
  }
  json message;
  try {
    message = json::parse(text);
  } catch (const json::parse_error &e) {
    reply(rpc::makeError(nullptr, {rpc::kParseError, std::string("invalid JSON: ") + e.what(),
                                   {{"byte", e.byte}}}));
    return out;
  } catch (const json::exception &e) {
    // e.g. a number too large for a double
    reply(rpc::makeError(nullptr, {rpc::kParseError, std::string("invalid JSON: ") + e.what()}));
    return out;
  }
  if (message.is_array()) {
    if (message.empty()) {
      reply(rpc::makeError(nullptr, {rpc::kInvalidRequest, "an empty batch"}));
      return out;
    }
    if (message.size() > services.config.limits.maxBatch) {
      reply(rpc::makeError(nullptr, {rpc::kLimitExceeded,
                                     "a batch of " + std::to_string(message.size()) +
                                         " requests; the limit is " +
                                         std::to_string(services.config.limits.maxBatch)}));
      return out;
    }
    json responses = json::array();
    for (const json &request : message) {
      json response = handleRequest(request, context);
      if (!response.is_null())
        responses.push_back(std::move(response));
    }
    if (!responses.empty())
      reply(responses);
  } else {
    json response = handleRequest(message, context);
    if (!response.is_null())
      reply(response);
  }
  for (const json &notification : context.afterReply)
    reply(notification);
  context.afterReply.clear();
  return out;
}

std::vector<std::string> Api::handleBinary(std::string_view bytes, CallContext &context) {
  size_t nul = bytes.find('\0');
  if (nul == std::string_view::npos)
    return {rpc::serialize(rpc::makeError(
        nullptr, {rpc::kInvalidRequest, "a binary message must be a request's JSON text, a NUL "
                                        "byte, then the payload"}))};
  context.binaryPayload = bytes.substr(nul + 1);
  auto out = handleText(bytes.substr(0, nul), context);
  context.binaryPayload = {};
  return out;
}

json Api::handleRequest(const json &request, CallContext &context) {
  auto start = Clock::now();
  if (!request.is_object())
    return rpc::makeError(nullptr, {rpc::kInvalidRequest, "a request must be a JSON object"});
  bool isNotification = !request.contains("id");
  json id = request.value("id", json());
  if (!id.is_null() && !id.is_string() && !id.is_number_integer())
    return rpc::makeError(nullptr,
                          {rpc::kInvalidRequest, "id must be a string, an integer or null"});
  if (request.value("jsonrpc", json()) != "2.0")
    return rpc::makeError(id, {rpc::kInvalidRequest, "jsonrpc must be \"2.0\""});
  if (!request.contains("method") || !request["method"].is_string())
    return rpc::makeError(id, {rpc::kInvalidRequest, "method must be a string"});
  std::string name = request["method"];
  json params = request.value("params", json::object());
  // A notification is never answered, not even with an error (JSON-RPC 2.0, 4.1).
  if (!params.is_object())
    return isNotification ? json()
                          : rpc::makeError(id, {rpc::kInvalidParams,
                                                "params must be an object (by name)",
                                                {{"pointer", ""}, {"message", "expected object"}}});

  const Method *method = nullptr;
  for (const Method &m : kMethods)
    if (name == m.name)
      method = &m;
  if (!method) {
    std::string best;
    unsigned bestDistance = 4;
    for (const Method &m : kMethods) {
      unsigned d = llvm::StringRef(m.name).edit_distance(name, true, bestDistance);
      if (d < bestDistance) {
        bestDistance = d;
        best = m.name;
      }
    }
    std::string shown = name.size() > 64 ? name.substr(0, 64) + "..." : name;
    if (isNotification)
      return json();
    return rpc::makeError(id, {rpc::kMethodNotFound,
                               "unknown method '" + shown + "'" +
                                   (best.empty() ? "" : "; did you mean '" + best + "'?")});
  }

  json response;
  bool ok = false;
  std::string outcome = "ok";
  try {
    if (services.tokens.isRevoked(context.caller.tokenId))
      throw rpc::Error{rpc::kForbidden, "this connection's token has been revoked"};
    if (context.caller.role < method->role)
      throw rpc::Error{rpc::kForbidden, std::string(method->name) + " needs the " +
                                            roleName(method->role) + " role; this token is " +
                                            roleName(context.caller.role)};
    if (auto violation = services.schemas.validate(schemaDef(name, "params"), params))
      throw invalidParams(violation->pointer, violation->message);
    response = rpc::makeResult(id, (this->*(method->handler))(params, context));
    ok = true;
  } catch (const rpc::Error &error) {
    response = rpc::makeError(id, error);
    outcome = "error " + std::to_string(error.code) + ": " + error.message.substr(0, 200);
  } catch (const JobFailure &failure) {
    response = rpc::makeError(id, {rpc::kServerError, failure.message});
    outcome = "error: " + failure.message.substr(0, 200);
  } catch (const std::exception &e) {
    response = rpc::makeError(id, {rpc::kServerError, std::string("internal error: ") + e.what()});
    outcome = std::string("error: ") + e.what();
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  services.metrics.observeRequest(name, ok, seconds);
  logEvent(ok ? spdlog::level::info : spdlog::level::warn, "rpc",
           {{"method", name},
            {"id", id},
            {"client", context.clientId},
            {"ms", seconds * 1000},
            {"outcome", outcome}});
  if (method->mutating)
    audit(*method, params, context, outcome);
  return isNotification ? json() : response;
}

void Api::audit(const Method &method, const json &params, const CallContext &context,
                const std::string &outcome) {
  std::string target;
  for (const char *key : {"model", "compile", "job", "id", "name"})
    if (params.contains(key) && params[key].is_string()) {
      target = params[key].get<std::string>().substr(0, 256);
      break;
    }
  try {
    services.storage.audit({0, "", context.caller.tokenId, roleName(context.caller.role),
                            context.remote, method.name, target, outcome});
  } catch (const std::exception &e) {
    logEvent(spdlog::level::err, "audit.not_stored", {{"method", method.name}, {"error", e.what()}});
  }
}

ModelRow Api::requireModel(const std::string &id) {
  auto row = services.storage.getModel(id);
  if (!row)
    throw notFound("no model " + id);
  return *row;
}

CompileRow Api::requireCompile(const std::string &id) {
  auto row = services.storage.getCompile(id);
  if (!row)
    throw notFound("no compile " + id);
  return *row;
}

void Api::checkJobLimit(const CallContext &context) {
  int live = services.jobs.liveJobsOf(context.clientId);
  if (live >= int(services.config.limits.maxJobsPerClient))
    throw rpc::Error{rpc::kLimitExceeded,
                     "this connection has " + std::to_string(live) +
                         " jobs queued or running; the limit is " +
                         std::to_string(services.config.limits.maxJobsPerClient)};
}

json Api::inlineOrArtifact(const std::string &key, const std::string &text,
                           const std::string &mediaType, json inlineValue) {
  if (text.size() <= services.config.limits.inlineResultBytes)
    return {{key, std::move(inlineValue)}};
  return {{"artifact", services.cache.artifactRef(services.cache.storeArtifact(text, mediaType))}};
}

} // namespace openopt::server
