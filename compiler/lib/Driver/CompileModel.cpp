//===- CompileModel.cpp - a model to the files a recipe asks for ----------===//
#include "openopt/Driver/CompileModel.h"

#include "openopt/Codegen/CUDA/CudaPipeline.h"
#include "openopt/Runtime/CompiledModel.h"
#include "openopt/Runtime/ModelLibrary.h"
#include "openopt/Runtime/NativeCode.h"
#include "openopt/Support/EntryFunction.h"
#include "openopt/Support/VectorBits.h"
#include "openopt/Tools/ModelLoader.h"

#include "openopt/runtime.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
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

llvm::Error writeText(llvm::StringRef text, llvm::StringRef path) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return createStringError("cannot write '%s': %s", path.str().c_str(), ec.message().c_str());
  out.os() << text;
  out.keep();
  return llvm::Error::success();
}

// What the runtime is told about the model (before it is lowered).
llvm::Expected<ModelLibraryInfo> libraryInfo(mlir::ModuleOp module, llvm::StringRef modelPath,
                                             const CpuPipelineOptions &options) {
  ModelLibraryInfo info;
  std::string stem = llvm::sys::path::stem(modelPath).str();
  info.name = libraryIdentifier(stem);
  info.modelName = stem;
  auto inputs = entryInputSpecs(module);
  if (!inputs)
    return inputs.takeError();
  auto outputs = entryOutputSpecs(module);
  if (!outputs)
    return outputs.takeError();
  info.inputs = std::move(*inputs);
  info.outputs = std::move(*outputs);
  info.returnsOutputs = llvm::any_of(
      info.outputs, [](const TensorSpec &spec) { return !spec.hasStaticShape(); });
  info.threads = std::max(1, options.threads);
  info.triple = options.targetTriple;
  info.target = libraryTarget(options);
  info.cuda = !options.cudaArch.empty();
  if (info.cuda && info.returnsOutputs)
    return createStringError(
        "the cuda target needs outputs of static shape; this model's are sized at run time "
        "(give the inputs fixed shapes, or compile it for the CPU)");
  // Refused now, not after the compile.
  if (auto metadata = modelMetadata(info); !metadata)
    return metadata.takeError();
  return info;
}

// Lowers `module` (after the graph passes) and writes it as a shared library
// (and as an object file, with `objectPath`).
llvm::Error writeLibrary(mlir::ModuleOp module, CpuPipelineOptions options,
                         const ModelLibraryInfo &info, llvm::StringRef libraryPath,
                         llvm::StringRef objectPath, ObjectCodeOptions objectOptions,
                         std::unique_ptr<PassRecorder> recorder, KernelStats &kernels,
                         llvm::function_ref<void(const std::string &)> onWeightsWritten) {
  options.returnOutputs = info.returnsOutputs;
  if (auto err = runPipeline(module, cpuFrontPipeline(options), std::move(recorder)))
    return err;
  objectOptions.packedEntry = findEntryFunction(module).getSymName().str();
  objectOptions.wholeModule = !options.splitKernels;
  // Weights for a file are kept in memory, to be written there; otherwise
  // they are an object, linked in.
  objectOptions.weightsInMemory = info.weightsFile;
  auto code = compileObjectCode(module, options, objectOptions);
  if (!code)
    return code.takeError();
  kernels = code->kernels;
  if (!objectPath.empty())
    if (auto err = linkRelocatable(code->objects, objectPath, code->slots))
      return err;
  std::string weightsPath;
  if (info.weightsFile) {
    llvm::SmallString<256> path = llvm::sys::path::parent_path(libraryPath);
    llvm::sys::path::append(path, info.name + ".weights");
    weightsPath = std::string(path);
  }
  if (auto err = linkModelLibrary(*code, objectOptions.packedEntry, info, libraryPath, weightsPath))
    return err;
  if (!code->weights.empty())
    onWeightsWritten(weightsPath);
  return llvm::Error::success();
}

// NAME.ptx: the kernels of `module` (after the graph passes; not modified)
// as PTX assembly, each kernel module's after a comment naming it.
llvm::Error writePtx(mlir::ModuleOp module, CpuPipelineOptions options, llvm::StringRef path) {
  if (options.cudaArch.empty())
    return createStringError("PTX is what the cuda target's kernels are; this compile is for the "
                             "CPU");
  options.cudaAssembly = true;
  options.returnOutputs = false;
  mlir::OwningOpRef<mlir::ModuleOp> copy(module.clone());
  if (auto err = runPipeline(*copy, cpuPipeline(options)))
    return err;
  std::string text;
  copy->walk([&](mlir::gpu::BinaryOp binary) {
    for (mlir::Attribute attr : binary.getObjectsAttr()) {
      auto object = llvm::cast<mlir::gpu::ObjectAttr>(attr);
      text += "// kernel module " + binary.getName().str() + "\n";
      text += object.getObject().getValue().str();
      if (!text.empty() && text.back() != '\n')
        text += "\n";
    }
  });
  return writeText(text, path);
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

// The architecture of the first GPU here, for a cuda recipe that names none.
static llvm::Expected<std::string> localGpuArch() {
  openopt_gpu_device device;
  size_t count = 0;
  openopt_error *error = nullptr;
  openopt_status status = openopt_gpu_devices(&device, 1, &count, &error);
  std::string why = error ? openopt_error_message(error) : "";
  openopt_error_free(error);
  if (status != OPENOPT_OK || count == 0)
    return createStringError("the cuda recipe names no \"arch\" and there is no GPU here to "
                             "take it from (%s); give one of %s",
                             why.empty() ? "the driver sees none" : why.c_str(),
                             supportedCudaArchs().str().c_str());
  return std::string(device.arch);
}

// The options for the request's target: another machine's (a cross
// compile) plans 8-lane vectors (two NEON registers each on aarch64: the
// register tiles of the 256-bit schedules fit its 32 registers) and asks
// nothing of this host.
llvm::Expected<CpuPipelineOptions> targetOptions(CpuPipelineOptions options) {
  if (!options.cudaArch.empty()) {
    auto toolkit = findCudaToolkit();
    if (!toolkit)
      return toolkit.takeError();
    if (options.cudaArch == "auto") {
      auto arch = localGpuArch();
      if (!arch)
        return arch.takeError();
      options.cudaArch = *arch;
    }
    if (!isSupportedCudaArch(options.cudaArch))
      return createStringError("the cuda target compiles for %s, not %s",
                               supportedCudaArchs().str().c_str(), options.cudaArch.c_str());
    // The host code only queues work: AVX2 at most, so that it runs on any
    // GPU server's CPU (the lowering's AVX-512-only routes stay off too).
    options.vectorBits = 256;
  }
  auto kind = targetKind(options.targetTriple);
  if (!kind)
    return kind.takeError();
  if (*kind == TargetKind::Host) {
    options.targetTriple.clear();
    return options;
  }
  if (options.vectorBits == 512)
    return createStringError("isa avx512 is for x86; aarch64-linux-gnu gets NEON (\"isa\": "
                             "\"auto\")");
  options.vectorBits = 256;
  return options;
}

llvm::Expected<CompileResult>
compileModel(mlir::MLIRContext &context, const CompileRequest &request,
             llvm::function_ref<void(llvm::StringRef path)> onWritten) {
  auto targeted = targetOptions(request.options);
  if (!targeted)
    return targeted.takeError();
  auto module = loadModel(context, request.modelPath);
  if (!module)
    return module.takeError();
  const RecipeOutputs &outputs = request.outputs;
  auto specs = entryInputSpecs(**module);
  if (!specs)
    return specs.takeError();
  // A shared library runs at every size its inputs allow; the other outputs
  // are for static shapes.
  if (outputs.object || outputs.llvmIR || outputs.llvmDialect)
    for (const TensorSpec &spec : *specs)
      if (llvm::any_of(spec.shape, [](int64_t d) { return d < 0; }))
        return createStringError(
            "input %s has dynamic dimensions; compile writes an object or LLVM IR for static "
            "shapes (a shared library, outputs.sharedLibrary, runs at any size)",
            spec.describe().c_str());
  // The weights file holds the shared library's weights: an object file
  // compiled with it would have none.
  if (outputs.weightsFile && (!outputs.sharedLibrary || outputs.object))
    return createStringError("outputs.weightsFile is for a shared library alone: ask for the "
                             "shared library without the object file (--emit shared-lib)");
  std::optional<ModelLibraryInfo> library;
  if (outputs.sharedLibrary) {
    auto info = libraryInfo(**module, request.modelPath, *targeted);
    if (!info)
      return info.takeError();
    library = std::move(*info);
    library->weightsFile = outputs.weightsFile;
  }

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

  bool recording = request.record || outputs.passRecord;
  PassRecord passRecord;
  // The graph passes run alone first, so their IR can be written; the
  // lowering follows without them.
  CpuPipelineOptions options = *targeted;
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
  ObjectCodeOptions objectOptions;
  objectOptions.instrumentation = [&]() -> std::unique_ptr<mlir::PassInstrumentation> {
    return recorder();
  };
  auto fileIn = [&](const std::string &name) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name);
    return std::string(path);
  };
  // The shared library is made from the kernels (or, with splitKernels off,
  // from the module as one kernel), with the object file when both are asked
  // for; a whole-module lowering for the LLVM IR outputs works on a copy.
  bool objectWithLibrary = library && outputs.object && !wholeModule;
  if (!err && library) {
    mlir::OwningOpRef<mlir::ModuleOp> copy;
    if (wholeModule)
      copy = (*module)->clone();
    std::string libraryPath = fileIn("lib" + library->name + ".so");
    std::string headerPath = fileIn(library->name + ".h");
    err = writeLibrary(copy ? *copy : **module, options, *library, libraryPath,
                       objectWithLibrary ? pathOf(".o") : "", objectOptions,
                       wholeModule ? nullptr : recorder(), result.kernels, written);
    if (!err && objectWithLibrary)
      written(pathOf(".o"));
    if (!err) {
      written(libraryPath);
      err = writeText(modelLibraryHeader(*library), headerPath);
    }
    if (!err)
      written(headerPath);
  }
  if (!err && outputs.ptx) {
    err = writePtx(**module, options, pathOf(".ptx"));
    if (!err)
      written(pathOf(".ptx"));
  }
  // (A library alone was made from its own copy.)
  if (!err && wholeModule &&
      (!library || outputs.llvmIR || outputs.llvmDialect || outputs.object))
    err = runPipeline(**module, cpuPipeline(options), recorder());
  if (!err && !wholeModule && !library)
    err = runPipeline(**module, cpuFrontPipeline(options), recorder());
  if (!err && !wholeModule && !library && outputs.object) {
    auto code = compileObjectCode(**module, options, objectOptions);
    if (!code) {
      err = code.takeError();
    } else {
      result.kernels = code->kernels;
      err = linkRelocatable(code->objects, pathOf(".o"), code->slots);
      if (!err)
        written(pathOf(".o"));
    }
  } else if (!err && !wholeModule && !library) {
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
    err = writeNativeCode(**module, ll, object, options.vectorBits, options.targetTriple);
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
