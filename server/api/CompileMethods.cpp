//===- CompileMethods.cpp - compile/start, get, passes, diff and ir ------===//
#include "api/Api.h"
#include "api/MethodSupport.h"

namespace openopt::server {

using namespace api;

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

} // namespace openopt::server
