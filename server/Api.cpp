//===- Api.cpp - dispatch, validation and the methods of WS /api ----------===//
#include "Api.h"

#include "Protocol.h"

#include "Base64.h"
#include "Hash.h"
#include "Log.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fstream>

namespace openopt::server {
namespace {

#include "ApiSchemas.inc"

using Clock = std::chrono::steady_clock;
constexpr int kMaxNesting = 128;

rpc::Error invalidParams(const std::string &pointer, const std::string &message) {
  return {rpc::kInvalidParams, "invalid params at " + (pointer.empty() ? "/" : pointer) + ": " +
                                   message,
          {{"pointer", pointer}, {"message", message}}};
}

rpc::Error notFound(const std::string &what) { return {rpc::kNotFound, what}; }


json jobJson(const JobRow &row, bool withDetails) {
  json job = {{"id", row.id},          {"kind", row.kind},
              {"state", row.state},    {"progress", row.progress},
              {"message", row.message}, {"createdAt", row.createdAt}};
  if (!row.startedAt.empty())
    job["startedAt"] = row.startedAt;
  if (!row.finishedAt.empty())
    job["finishedAt"] = row.finishedAt;
  if (!row.error.is_null())
    job["error"] = row.error;
  if (withDetails) {
    job["params"] = row.params;
    if (!row.result.is_null())
      job["result"] = row.result;
  }
  return job;
}

json tokenJson(const TokenRow &row) {
  json token = {{"id", row.id}, {"name", row.name}, {"role", row.role},
                {"createdAt", row.createdAt}};
  if (!row.revokedAt.empty())
    token["revokedAt"] = row.revokedAt;
  return token;
}

std::string schemaFile(const std::string &method) {
  return method.substr(0, method.find('/')) + ".schema.json";
}

std::string schemaDef(const std::string &method, const char *suffix) {
  return schemaFile(method) + "#/$defs/" + method.substr(method.find('/') + 1) + "." + suffix;
}

bool isUtf8(const std::string &text) {
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::exception &) {
    return false;
  }
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
          {"methods", methodsFor(context.caller.role)}};
}

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

json Api::compileStart(const json &params, CallContext &context) {
  auto lookupStart = Clock::now();
  ModelRow model = requireModel(params["model"]);
  auto plan = services.compiler.planCompile(model, params.value("recipe", ""),
                                            params.value("recipeName", ""));
  if (!plan) {
    std::string diagnostics = llvm::toString(plan.takeError());
    std::string first = diagnostics.substr(0, diagnostics.find('\n'));
    throw rpc::Error{rpc::kInvalidParams, "invalid recipe: " + first,
                     {{"pointer", "/recipe"}, {"message", first}, {"diagnostics", diagnostics}}};
  }
  checkJobLimit(context);
  json jobParams = {{"model", model.id}, {"recipeName", plan->recipeName},
                    {"compile", plan->compileId}};
  if (auto previous = services.cache.findCompile(plan->cacheKey)) {
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - lookupStart).count();
    json result = services.compiler.reuseCompile(*plan, *previous, ms);
    // job/done goes out after this call's reply, which names the job.
    auto deferred = [&context](const std::string &method, const json &notification) {
      context.afterReply.push_back(rpc::makeNotification(method, notification));
    };
    std::string job = services.jobs.submitFinished("compile", jobParams, context.clientId,
                                                   context.caller.tokenId, result, deferred);
    return {{"job", job}, {"compile", plan->compileId}, {"cache", "hit"}};
  }
  std::string expected = services.cache.findGraph(plan->graphKey) ? "graph" : "miss";
  CompileService &compiler = services.compiler;
  std::string job = services.jobs.submit(
      "compile", jobParams, context.clientId, context.caller.tokenId,
      [&compiler, plan = *plan](JobContext &job) { return compiler.compile(job, plan); },
      context.notify);
  return {{"job", job}, {"compile", plan->compileId}, {"cache", expected}};
}

json Api::compileGet(const json &params, CallContext &) {
  return {{"compile", requireCompile(params["compile"]).summary}};
}

json Api::compilePasses(const json &params, CallContext &) {
  auto record = services.compiler.passRecord(requireCompile(params["compile"]));
  if (!record)
    throw rpc::Error{rpc::kServerError, "the compile's pass record is not stored"};
  bool onlyChanged = params.value("onlyChanged", false);
  json passes = json::array();
  for (const PassSnapshot &s : record->passes)
    if (!onlyChanged || s.changed)
      passes.push_back({{"index", s.index},
                        {"pass", s.pass},
                        {"argument", s.argument},
                        {"anchor", s.anchor},
                        {"depth", s.depth},
                        {"wallMs", s.wallMs},
                        {"opsBefore", s.opsBefore},
                        {"opsAfter", s.opsAfter},
                        {"changed", s.changed},
                        {"failed", s.failed}});
  return {{"pipeline", record->pipeline}, {"passes", passes}};
}

json Api::compileDiff(const json &params, CallContext &) {
  auto record = services.compiler.passRecord(requireCompile(params["compile"]));
  if (!record)
    throw rpc::Error{rpc::kServerError, "the compile's pass record is not stored"};
  int64_t index = params["pass"].get<int64_t>();
  if (index >= int64_t(record->passes.size()))
    throw invalidParams("/pass", "the compile has " + std::to_string(record->passes.size()) +
                                     " passes (0 to " +
                                     std::to_string(record->passes.size() - 1) + ")");
  const PassSnapshot &pass = record->passes[index];
  json functions = json::array();
  for (const FunctionSnapshot &after : pass.changedFunctions) {
    const FunctionSnapshot *before = record->functionBefore(int(index), after.name);
    FunctionSnapshot empty;
    empty.name = after.name;
    if (!before)
      before = &empty;
    json ops = json::array();
    for (const OpIdentityChange &change : opIdentityChanges(*before, after)) {
      static const char *kinds[] = {"replaced", "added", "removed"};
      json op = {{"kind", kinds[int(change.kind)]}, {"id", change.op.id}, {"op", change.op.op}};
      if (change.kind == OpIdentityChange::Kind::Replaced) {
        op["from"] = json::array();
        for (const RecordedOp &from : change.from)
          op["from"].push_back({{"id", from.id}, {"op", from.op}});
      }
      ops.push_back(op);
    }
    std::string label = pass.argument.empty() ? pass.pass : pass.argument;
    functions.push_back({{"name", after.name},
                         {"diff", unifiedDiff(before->ir, after.ir,
                                              "@" + after.name + " before " + label,
                                              "@" + after.name + " after " + label)},
                         {"ops", ops}});
  }
  return {{"pass", index},
          {"argument", pass.argument},
          {"changed", pass.changed},
          {"functions", functions}};
}

json Api::compileIR(const json &params, CallContext &) {
  auto record = services.compiler.passRecord(requireCompile(params["compile"]));
  if (!record)
    throw rpc::Error{rpc::kServerError, "the compile's pass record is not stored"};
  int64_t index = params["pass"].get<int64_t>();
  if (index >= int64_t(record->passes.size()))
    throw invalidParams("/pass", "the compile has " + std::to_string(record->passes.size()) +
                                     " passes (-1 to " +
                                     std::to_string(record->passes.size() - 1) + ")");
  // Every function seen up to that point, in order of first appearance.
  std::vector<std::string> names;
  auto note = [&](const std::string &name) {
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(name);
  };
  for (const FunctionSnapshot &f : record->initial)
    note(f.name);
  for (int64_t i = 0; i <= index; ++i)
    for (const FunctionSnapshot &f : record->passes[i].changedFunctions)
      note(f.name);
  std::string ir;
  json ops = json::array();
  int lineOffset = 0;
  for (const std::string &name : names)
    if (const FunctionSnapshot *f = record->functionBefore(int(index) + 1, name)) {
      for (const RecordedOp &op : f->ops)
        ops.push_back({{"id", op.id}, {"op", op.op}, {"line", op.line ? op.line + lineOffset : 0}});
      std::string text = f->ir + (llvm::StringRef(f->ir).ends_with("\n") ? "" : "\n");
      lineOffset += int(std::count(text.begin(), text.end(), '\n'));
      ir += text;
    }
  json result = inlineOrArtifact("ir", ir, "text/x-mlir", ir);
  result["pass"] = index;
  result["ops"] = std::move(ops);
  return result;
}

json Api::runStart(const json &params, CallContext &context) {
  CompileRow compile = requireCompile(params["compile"]);
  ModelRow model = requireModel(compile.modelId);
  auto inputs = services.compiler.decodeRunInputs(model, params.value("inputs", json()));
  if (!inputs) {
    std::string message = llvm::toString(inputs.takeError());
    std::string pointer = message.substr(0, message.find(':'));
    throw invalidParams(pointer, message.substr(std::min(message.size(), pointer.size() + 2)));
  }
  checkJobLimit(context);
  uint32_t seed = params.value("seed", 1u);
  int iterations = params.value("iterations", 10);
  json jobParams = {{"compile", compile.id}, {"seed", seed}, {"iterations", iterations}};
  CompileService &compiler = services.compiler;
  std::string job = services.jobs.submit(
      "run", jobParams, context.clientId, context.caller.tokenId,
      [&compiler, compile, inputs = std::move(*inputs), seed, iterations](JobContext &job) {
        return compiler.run(job, compile, inputs, seed, iterations);
      },
      context.notify);
  return {{"job", job}};
}

json Api::profileStart(const json &params, CallContext &context) {
  CompileRow compile = requireCompile(params["compile"]);
  checkJobLimit(context);
  uint32_t seed = params.value("seed", 1u);
  int iterations = params.value("iterations", 10);
  json jobParams = {{"compile", compile.id}, {"seed", seed}, {"iterations", iterations}};
  CompileService &compiler = services.compiler;
  std::string job = services.jobs.submit(
      "profile", jobParams, context.clientId, context.caller.tokenId,
      [&compiler, compile, seed, iterations](JobContext &job) {
        return compiler.profile(job, compile, seed, iterations);
      },
      context.notify);
  return {{"job", job}};
}

json Api::jobList(const json &params, CallContext &) {
  json jobs = json::array();
  for (const JobRow &row : services.storage.listJobs(params.value("state", ""),
                                                     params.value("kind", ""),
                                                     params.value("limit", 100)))
    jobs.push_back(jobJson(row, false));
  return {{"jobs", jobs}};
}

json Api::jobGet(const json &params, CallContext &) {
  auto row = services.storage.getJob(params["job"]);
  if (!row)
    throw notFound("no job " + params["job"].get<std::string>());
  return {{"job", jobJson(*row, true)}};
}

json Api::jobCancel(const json &params, CallContext &context) {
  std::string id = params["job"];
  auto row = services.storage.getJob(id);
  if (!row)
    throw notFound("no job " + id);
  if (context.caller.role < Role::Admin && row->tokenId != context.caller.tokenId)
    throw rpc::Error{rpc::kForbidden, "job " + id + " was started with another token; only an "
                                      "admin may cancel it"};
  services.jobs.cancel(id, std::chrono::seconds(5));
  row = services.storage.getJob(id);
  return {{"job", jobJson(*row, true)}};
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

json Api::tokenCreate(const json &params, CallContext &) {
  auto [token, row] = services.tokens.create(params["name"], *parseRole(params["role"]));
  return {{"token", token}, {"info", tokenJson(row)}};
}

json Api::tokenList(const json &, CallContext &) {
  json tokens = json::array();
  for (const TokenRow &row : services.storage.listTokens())
    tokens.push_back(tokenJson(row));
  return {{"tokens", tokens}};
}

json Api::tokenRevoke(const json &params, CallContext &) {
  return {{"revoked", services.tokens.revoke(params["id"])}};
}

json Api::auditList(const json &params, CallContext &) {
  json entries = json::array();
  for (const AuditRow &row : services.storage.listAudit(params.value("limit", 100)))
    entries.push_back({{"id", row.id},
                       {"at", row.at},
                       {"tokenId", row.tokenId},
                       {"role", row.role},
                       {"remote", row.remote},
                       {"method", row.method},
                       {"target", row.target},
                       {"outcome", row.outcome}});
  return {{"entries", entries}};
}

} // namespace openopt::server
