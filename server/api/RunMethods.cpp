//===- RunMethods.cpp - run/start and profile/start ----------------------===//
#include "api/Api.h"
#include "api/MethodSupport.h"

namespace openopt::server {

using namespace api;

namespace {
// The device a run or profile names, if the compile can run there.
DeviceTarget requireDevice(CompileService &compiler, const CompileRow &compile,
                           const json &params) {
  auto device = compiler.deviceFor(compile, params.value("device", std::string("cpu")));
  if (!device)
    throw invalidParams("/device", llvm::toString(device.takeError()));
  return *device;
}
} // namespace

json Api::runStart(const json &params, CallContext &context) {
  CompileRow compile = requireCompile(params["compile"]);
  ModelRow model = requireModel(compile.modelId);
  DeviceTarget device = requireDevice(services.compiler, compile, params);
  auto inputs = services.compiler.decodeRunInputs(model, params.value("inputs", json()));
  if (!inputs) {
    std::string message = llvm::toString(inputs.takeError());
    std::string pointer = message.substr(0, message.find(':'));
    throw invalidParams(pointer, message.substr(std::min(message.size(), pointer.size() + 2)));
  }
  checkJobLimit(context);
  uint32_t seed = params.value("seed", 1u);
  int iterations = params.value("iterations", 10);
  json jobParams = {{"compile", compile.id}, {"seed", seed}, {"iterations", iterations},
                    {"device", device.id}};
  CompileService &compiler = services.compiler;
  std::string job = services.jobs.submit(
      "run", jobParams, context.clientId, context.caller.tokenId,
      [&compiler, compile, inputs = std::move(*inputs), seed, iterations, device](JobContext &job) {
        return compiler.run(job, compile, inputs, seed, iterations, device);
      },
      context.notify);
  return {{"job", job}};
}

json Api::profileStart(const json &params, CallContext &context) {
  CompileRow compile = requireCompile(params["compile"]);
  DeviceTarget device = requireDevice(services.compiler, compile, params);
  checkJobLimit(context);
  uint32_t seed = params.value("seed", 1u);
  int iterations = params.value("iterations", 10);
  json jobParams = {{"compile", compile.id}, {"seed", seed}, {"iterations", iterations},
                    {"device", device.id}};
  CompileService &compiler = services.compiler;
  std::string job = services.jobs.submit(
      "profile", jobParams, context.clientId, context.caller.tokenId,
      [&compiler, compile, seed, iterations, device](JobContext &job) {
        return compiler.profile(job, compile, seed, iterations, device);
      },
      context.notify);
  return {{"job", job}};
}

} // namespace openopt::server
