//===- RunMethods.cpp - run/start and profile/start ----------------------===//
#include "api/Api.h"
#include "api/MethodSupport.h"

namespace openopt::server {

using namespace api;

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

} // namespace openopt::server
