//===- CompileModel.cpp - a model to the files a recipe asks for ----------===//
#include "openopt/Driver/CompileModel.h"

#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Runtime/NativeCode.h"
#include "openopt/Tools/ModelLoader.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

using llvm::createStringError;

namespace openopt::driver {
namespace {

llvm::Error writeIR(mlir::ModuleOp module, llvm::StringRef path) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return createStringError("cannot write '%s': %s", path.str().c_str(), ec.message().c_str());
  module->print(out.os());
  out.keep();
  return llvm::Error::success();
}

} // namespace

CompileRequest CompileRequest::fromRecipe(const Recipe &recipe, bool skipGraphPasses) {
  CompileRequest request;
  request.options = recipe.cpuOptions();
  if (skipGraphPasses)
    request.options.graphPasses.clear();
  request.outputs = recipe.outputs;
  return request;
}

std::string defaultOutputDir(llvm::StringRef modelPath) {
  return (llvm::sys::path::stem(modelPath) + ".openopt").str();
}

llvm::Expected<CompileResult>
compileModel(mlir::MLIRContext &context, const CompileRequest &request,
             llvm::function_ref<void(llvm::StringRef path)> onWritten) {
  auto module = loadModel(context, request.modelPath);
  if (!module)
    return module.takeError();
  auto specs = entryInputSpecs(**module);
  if (!specs)
    return specs.takeError();
  for (const TensorSpec &spec : *specs)
    if (llvm::any_of(spec.shape, [](int64_t d) { return d < 0; }))
      return createStringError(
          "input %s has dynamic dimensions; compile writes an object for static shapes "
          "(openopt run compiles for any size)",
          spec.describe().c_str());

  std::string dir =
      request.outputDir.empty() ? defaultOutputDir(request.modelPath) : request.outputDir;
  if (auto ec = llvm::sys::fs::create_directories(dir))
    return createStringError("cannot create '%s': %s", dir.c_str(), ec.message().c_str());
  std::string stem = llvm::sys::path::stem(request.modelPath).str();
  auto pathOf = [&](llvm::StringRef suffix) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, stem + suffix);
    return std::string(path);
  };
  CompileResult result;
  auto written = [&](const std::string &path) {
    result.written.push_back(path);
    onWritten(path);
  };

  const RecipeOutputs &outputs = request.outputs;
  bool recording = request.record || outputs.passRecord;
  PassRecord passRecord;
  // The graph passes run alone first, so their IR can be written; the
  // lowering follows without them.
  CpuPipelineOptions options = request.options;
  std::string graphPipeline =
      options.graphPasses.empty() ? "" : "builtin.module(func.func(" + options.graphPasses + "))";
  passRecord.pipeline = cpuPipeline(options);
  options.graphPasses.clear();
  auto recorder = [&]() -> std::unique_ptr<PassRecorder> {
    return recording ? std::make_unique<PassRecorder>(passRecord) : nullptr;
  };
  if (recording) {
    PassRecorder initial(passRecord);
    initial.recordInitial(**module);
  }

  auto start = std::chrono::steady_clock::now();
  result.opsBefore = countNestedOps(**module);
  llvm::Error err = llvm::Error::success();
  if (!graphPipeline.empty())
    err = runPipeline(**module, graphPipeline, recorder());
  result.opsAfterGraphPasses = countNestedOps(**module);
  result.graphPassCount = passRecord.passes.size();
  if (!err && request.keepGraphIR) {
    llvm::raw_string_ostream os(result.graphIR);
    (*module)->print(os, mlir::OpPrintingFlags().enableDebugInfo());
  }
  if (!err && outputs.graphIR) {
    err = writeIR(**module, pathOf(".graph.mlir"));
    if (!err)
      written(pathOf(".graph.mlir"));
  }
  // The object is made kernel by kernel (KernelCompiler.h), each kernel
  // compiled once and cached. Asked for the whole model's LLVM dialect or
  // LLVM IR, the model is lowered as one module instead, so that those files
  // show every function.
  bool wholeModule = outputs.llvmDialect || outputs.llvmIR || !options.splitKernels;
  if (!err && wholeModule)
    err = runPipeline(**module, cpuPipeline(options), recorder());
  if (!err && !wholeModule)
    err = runPipeline(**module, cpuFrontPipeline(options), recorder());
  if (!err && !wholeModule && outputs.object) {
    ObjectCodeOptions objectOptions;
    objectOptions.instrumentation = [&]() -> std::unique_ptr<mlir::PassInstrumentation> {
      return recorder();
    };
    auto code = compileObjectCode(**module, options, objectOptions);
    if (!code) {
      err = code.takeError();
    } else {
      result.kernels = code->kernels;
      err = linkRelocatable(code->objects, pathOf(".o"), code->slots);
      if (!err)
        written(pathOf(".o"));
    }
  } else if (!err && !wholeModule) {
    // No object asked for: the lowering still runs, to report its errors.
    err = runPipeline(**module, cpuBackPipeline(options), recorder());
  }
  if (!err && outputs.llvmDialect) {
    err = writeIR(**module, pathOf(".llvm.mlir"));
    if (!err)
      written(pathOf(".llvm.mlir"));
  }
  if (!err && wholeModule && (outputs.llvmIR || outputs.object)) {
    std::string ll = outputs.llvmIR ? pathOf(".ll") : "";
    std::string object = outputs.object ? pathOf(".o") : "";
    err = writeNativeCode(**module, ll, object, options.vectorBits);
    if (!err) {
      if (!ll.empty())
        written(ll);
      if (!object.empty())
        written(object);
    }
  }
  result.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // The record of a failed compile is written too: it shows where it stopped.
  if (recording) {
    if (auto writeErr = writePassRecord(passRecord, dir))
      err = llvm::joinErrors(std::move(err), std::move(writeErr));
    else
      written(dir + "/record.json");
    result.record = std::move(passRecord);
  }
  if (err)
    return std::move(err);
  return result;
}

} // namespace openopt::driver
