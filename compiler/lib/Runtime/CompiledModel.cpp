//===- CompiledModel.cpp - a model JIT-compiled for this CPU --------------===//
#include "openopt/Runtime/CompiledModel.h"

#include "openopt/Runtime/BufferPool.h"
#include "openopt/Codegen/CPU/Passes.h"
#include "openopt/Support/Diagnostics.h"
#include "openopt/Support/ResourceBlobs.h"
#include "openopt/Runtime/ModelLibrary.h"
#include "openopt/code_support.h"
#include "openopt/model_format.h"
#include "openopt/runtime.h"
#include "PerfMap.h"
#include "openopt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

using namespace mlir;
using llvm::createStringError;

namespace openopt {

std::string TensorSpec::describe() const {
  std::string text = "'" + name + "' " + dtypeName(dtype).str() + "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    std::string dim = "?";
    if (!ShapedType::isDynamic(shape[i]))
      dim = std::to_string(shape[i]);
    else if (i < dimNames.size() && !dimNames[i].empty() && dimNames[i] != "?")
      dim = dimNames[i];
    text += (i ? ", " : "") + dim;
  }
  return text + "]" + (kind.empty() ? "" : " (" + kind + ")");
}

bool TensorSpec::hasStaticShape() const {
  return llvm::none_of(shape, ShapedType::isDynamic);
}

llvm::Expected<DType> dtypeOf(Type t) {
  if (t.isF32()) return DType::F32;
  if (t.isF64()) return DType::F64;
  if (t.isF16()) return DType::F16;
  if (t.isBF16()) return DType::BF16;
  if (t.isInteger(1)) return DType::Bool;
  if (t.isUnsignedInteger(8)) return DType::U8;
  if (t.isUnsignedInteger(16)) return DType::U16;
  if (t.isUnsignedInteger(32)) return DType::U32;
  if (t.isUnsignedInteger(64)) return DType::U64;
  if (t.isInteger(8)) return DType::I8;
  if (t.isInteger(16)) return DType::I16;
  if (t.isInteger(32)) return DType::I32;
  if (t.isInteger(64)) return DType::I64;
  std::string name;
  llvm::raw_string_ostream os(name);
  os << t;
  return createStringError("element type %s is not supported at the model boundary",
                           name.c_str());
}

namespace {

// The JIT's models run as many threads as they were compiled for.
extern "C" int32_t openoptNoThreadBudget() { return 0; }

std::string nameOf(DictionaryAttr attrs, const std::string &fallback) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("nn.name"))
      return name.getValue().str();
  return fallback;
}

llvm::Expected<std::vector<TensorSpec>> specsOf(TypeRange types, ArrayAttr attrs,
                                                StringRef prefix) {
  std::vector<TensorSpec> specs;
  for (auto [i, type] : llvm::enumerate(types)) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return createStringError("%s %zu is not a ranked tensor", prefix.str().c_str(), i);
    auto dtype = dtypeOf(tensor.getElementType());
    if (!dtype)
      return dtype.takeError();
    DictionaryAttr dict = attrs ? dyn_cast_or_null<DictionaryAttr>(attrs[i]) : nullptr;
    TensorSpec spec{nameOf(dict, prefix.str() + std::to_string(i)), *dtype,
                    llvm::SmallVector<int64_t>(tensor.getShape()), {}};
    if (auto kind = dict ? dict.getAs<StringAttr>("nn.kind") : nullptr)
      spec.kind = kind.getValue().str();
    if (auto params = dict ? dict.getAs<ArrayAttr>("nn.dim_params") : nullptr)
      for (Attribute p : params)
        spec.dimNames.push_back(isa<StringAttr>(p) ? cast<StringAttr>(p).getValue().str() : "");
    specs.push_back(std::move(spec));
  }
  return specs;
}

} // namespace

llvm::Expected<std::vector<TensorSpec>> entryInputSpecs(ModuleOp module) {
  func::FuncOp func = findEntryFunction(module);
  if (!func)
    return createStringError("the module has no public function to run");
  return specsOf(func.getArgumentTypes(), func.getArgAttrsAttr(), "input");
}

llvm::Expected<std::vector<TensorSpec>> entryOutputSpecs(ModuleOp module) {
  func::FuncOp func = findEntryFunction(module);
  if (!func)
    return createStringError("the module has no public function to run");
  return specsOf(func.getResultTypes(), func.getResAttrsAttr(), "output");
}

llvm::Error specializeInputShapes(ModuleOp module, llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes) {
  func::FuncOp func = findEntryFunction(module);
  if (!func)
    return createStringError("the module has no public function to run");
  auto type = func.getFunctionType();
  if (shapes.size() != type.getNumInputs())
    return createStringError("the model has %u inputs but %zu shapes were given",
                             type.getNumInputs(), shapes.size());
  SmallVector<Type> inputs;
  for (auto [i, t] : llvm::enumerate(type.getInputs())) {
    auto tensor = cast<RankedTensorType>(t);
    if ((int64_t)shapes[i].size() != tensor.getRank())
      return createStringError("input %zu has rank %lld, got a shape of rank %zu", i,
                               (long long)tensor.getRank(), shapes[i].size());
    for (auto [d, given] : llvm::zip(tensor.getShape(), shapes[i]))
      if (!ShapedType::isDynamic(d) && d != given)
        return createStringError("input %zu: dimension %lld is fixed by the model, got %lld", i,
                                 (long long)d, (long long)given);
    inputs.push_back(RankedTensorType::get(shapes[i], tensor.getElementType()));
  }
  if (llvm::equal(inputs, type.getInputs()))
    return llvm::Error::success();
  for (auto [arg, t] : llvm::zip(func.getArguments(), inputs))
    arg.setType(t);
  DiagnosticCollector diagnostics(*module.getContext());
  if (failed(refineShapes(func)))
    return diagnostics.takeError("shape inference failed for the given input shapes");
  return llvm::Error::success();
}

/// The model's library as the runtime opens it: its struct first, then what
/// the functions below need of the model.
struct JitModelLibrary {
  openopt_model_library library;
  std::string metadata;
  ProfileCollector *collector = nullptr;
};

namespace {

int jitCall(const openopt_model_library *self, void (*entry)(void **), void **args,
            openopt_arena *, int32_t, char *message, size_t messageSize) {
  auto *jit = reinterpret_cast<const JitModelLibrary *>(self);
  if (!jit->collector)
    return openopt_checked_call(entry, args, message, messageSize);
  ProfileCollector::RunScope scope(*jit->collector);
  return openopt_checked_call(entry, args, message, messageSize);
}

// The JIT's code allocates from the process's buffer pool (bound as its
// malloc and free); a session needs no arena of its own.
openopt_arena *jitArenaCreate(const openopt_model_library *self) {
  return reinterpret_cast<openopt_arena *>(const_cast<openopt_model_library *>(self));
}

void jitArenaDestroy(const openopt_model_library *, openopt_arena *) {}

void jitRelease(const openopt_model_library *, void *buffer) { bufferpool::release(buffer); }

// The JIT binds its weights by address: nothing to map.
int jitPrepare(const openopt_model_library *, char *, size_t) { return 0; }

llvm::Error runtimeError(openopt_status status, openopt_error *error) {
  // No error object means none could be allocated: the status says what.
  std::string message = error ? openopt_error_message(error) : openopt_status_name(status);
  openopt_error_free(error);
  return createStringError("%s", message.c_str());
}

} // namespace

CompiledModel::~CompiledModel() {
  openopt_session_destroy(session);
  openopt_model_close(runtimeModel);
}

llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::compile(ModuleOp module, const CpuPipelineOptions &options, KernelCache *cache) {
  func::FuncOp func = findEntryFunction(module);
  if (!func)
    return createStringError("the module has no public function to run");
  std::unique_ptr<CompiledModel> model(new CompiledModel());
  auto inputs = specsOf(func.getArgumentTypes(), func.getArgAttrsAttr(), "input");
  if (!inputs)
    return inputs.takeError();
  auto outputs = specsOf(func.getResultTypes(), func.getResAttrsAttr(), "output");
  if (!outputs)
    return outputs.takeError();
  model->inputSpecs = std::move(*inputs);
  model->outputSpecs = std::move(*outputs);
  model->returnOutputs = llvm::any_of(
      model->outputSpecs, [](const TensorSpec &spec) { return !spec.hasStaticShape(); });
  std::string entryName = func.getSymName().str();

  CpuPipelineOptions pipeline = options;
  pipeline.returnOutputs = model->returnOutputs;
  if (!options.cudaArch.empty())
    return compileForGpu(std::move(model), module, pipeline, cache);
  if (auto err = runPipeline(module, cpuFrontPipeline(pipeline)))
    return std::move(err);
  // The weights the graph passes folded (transposed, transformed) are dead.
  if (options.releaseWeightBlobs)
    releaseBlobsUnusedBy(module);
  if (options.profile) {
    auto table = readProfiledOps(module);
    if (!table)
      return table.takeError();
    model->opTable = std::move(*table);
    model->collector = std::make_unique<ProfileCollector>(model->opTable.size());
    // The LLVM translation has no use for the table.
    module->removeAttr(kProfileOpsAttr);
  }
  ObjectCodeOptions objectOptions;
  objectOptions.packedEntry = entryName;
  objectOptions.cache = cache;
  objectOptions.weightsInMemory = true;
  objectOptions.wholeModule = !options.splitKernels;
  auto code = compileObjectCode(module, pipeline, objectOptions);
  if (!code)
    return code.takeError();
  model->kernels = code->kernels;

  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return jit.takeError();
  // The OpenMP runtime runs the parallel loops of multi-threaded code.
  if (options.threads > 1) {
    static const std::string openmp = OPENOPT_OPENMP_RUNTIME;
    std::string message;
    if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(openmp.c_str(), &message))
      return createStringError("cannot load %s: %s", openmp.c_str(), message.c_str());
  }
  llvm::orc::JITDylib &dylib = (*jit)->getMainJITDylib();
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!process)
    return process.takeError();
  dylib.addGenerator(std::move(*process));
  llvm::orc::SymbolMap hooks;
  auto define = [&](llvm::StringRef name, void *address) {
    hooks[(*jit)->mangleAndIntern(name)] = llvm::orc::ExecutorSymbolDef(
        llvm::orc::ExecutorAddr::fromPtr(address), llvm::JITSymbolFlags::Exported);
  };
  define(kRuntimeFailHook, reinterpret_cast<void *>(&openopt_runtime_fail));
  define(kThreadBudgetHook, reinterpret_cast<void *>(&openoptNoThreadBudget));
  // The code's buffers come from the pool (BufferPool.h).
  define("malloc", reinterpret_cast<void *>(&bufferpool::allocate));
  define("free", reinterpret_cast<void *>(&bufferpool::release));
  define("realloc", reinterpret_cast<void *>(&bufferpool::reallocate));
  // What the code may call that MLIR's runner utilities or compiler-rt would
  // provide: the runtime's implementation, as model libraries link it.
  define("memrefCopy", reinterpret_cast<void *>(&openopt_memref_copy));
  define("__truncsfbf2", reinterpret_cast<void *>(&openopt_trunc_f32_bf16));
  define("__truncdfbf2", reinterpret_cast<void *>(&openopt_trunc_f64_bf16));
  if (model->collector) {
    define(kProfileEnterHook, ProfileCollector::enterHookAddress());
    define(kProfileExitHook, ProfileCollector::exitHookAddress());
  }
  for (const WeightBuffer &weight : code->weights)
    hooks[(*jit)->mangleAndIntern(weight.symbol)] = llvm::orc::ExecutorSymbolDef(
        llvm::orc::ExecutorAddr::fromPtr(weight.data), llvm::JITSymbolFlags::Exported);
  model->weights = std::move(code->weights);
  if (auto err = dylib.define(llvm::orc::absoluteSymbols(std::move(hooks))))
    return std::move(err);
  llvm::orc::SymbolAliasMap slots;
  for (const auto &[slot, kernel] : code->slots)
    slots[(*jit)->mangleAndIntern(slot)] = llvm::orc::SymbolAliasMapEntry(
        (*jit)->mangleAndIntern(kernel),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  if (!slots.empty())
    if (auto err = dylib.define(llvm::orc::symbolAliases(std::move(slots))))
      return std::move(err);
  for (const KernelCache::Object &object : code->objects)
    if (auto err = (*jit)->addObjectFile(
            dylib, llvm::MemoryBuffer::getMemBufferCopy(*object, "openopt-kernel")))
      return std::move(err);
  if (auto err = (*jit)->initialize(dylib))
    return std::move(err);
  auto entry = (*jit)->lookup("_mlir_" + entryName);
  if (!entry)
    return entry.takeError();
  model->entry = entry->toPtr<void (*)(void **)>();

  // The runtime opens the model as it would a model library.
  ModelLibraryInfo info;
  info.name = libraryIdentifier(entryName);
  info.modelName = entryName;
  info.inputs = model->inputSpecs;
  info.outputs = model->outputSpecs;
  info.returnsOutputs = model->returnOutputs;
  info.threads = std::max(1, options.threads);
  info.target = "jit";
  auto metadata = modelMetadata(info);
  if (!metadata)
    return metadata.takeError();
  model->library = std::make_unique<JitModelLibrary>();
  JitModelLibrary &library = *model->library;
  library.metadata = std::move(*metadata);
  library.collector = model->collector.get();
  library.library.magic = OPENOPT_LIBRARY_MAGIC;
  library.library.abi_version = OPENOPT_RUNTIME_ABI_VERSION;
  library.library.size = sizeof(library.library);
  library.library.metadata = reinterpret_cast<const unsigned char *>(library.metadata.data());
  library.library.metadata_size = library.metadata.size();
  library.library.entry = model->entry;
  library.library.call = jitCall;
  library.library.arena_create = jitArenaCreate;
  library.library.arena_destroy = jitArenaDestroy;
  library.library.release = jitRelease;
  library.library.prepare = jitPrepare;
  openopt_error *error = nullptr;
  openopt_status status =
      openopt_model_open_linked(&library.library, &model->runtimeModel, &error);
  if (status == OPENOPT_OK)
    status = openopt_session_create(model->runtimeModel, nullptr, &model->session, &error);
  if (status != OPENOPT_OK)
    return runtimeError(status, error);
  // A debugging aid: a map that cannot be written costs a warning only.
  if (perfMapRequested())
    if (auto err = appendPerfMap(**jit, code->objects))
      llvm::WithColor::warning() << "OPENOPT_PERF_MAP: " << llvm::toString(std::move(err)) << "\n";
  model->jit = std::move(*jit);
  return model;
}

// The cuda target: the model becomes a model library (host code for this
// CPU, kernels for the GPU) in a temporary folder, opened by the runtime as
// any library is; the file goes once it is loaded.
llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::compileForGpu(std::unique_ptr<CompiledModel> model, ModuleOp module,
                             CpuPipelineOptions options, KernelCache *cache) {
  // Profiled, the runtime times each kernel (CUDA events): no hooks in the
  // code.
  bool profiled = std::exchange(options.profile, false);
  if (model->returnOutputs)
    return createStringError("the cuda target needs outputs of static shape; this model's are "
                             "sized at run time");
  std::string entryName = findEntryFunction(module).getSymName().str();
  if (auto err = runPipeline(module, cpuFrontPipeline(options)))
    return std::move(err);
  ObjectCodeOptions objectOptions;
  objectOptions.packedEntry = entryName;
  objectOptions.cache = cache;
  objectOptions.wholeModule = true;
  auto code = compileObjectCode(module, options, objectOptions);
  if (!code)
    return code.takeError();
  model->kernels = code->kernels;
  ModelLibraryInfo info;
  info.name = libraryIdentifier(entryName);
  info.modelName = entryName;
  info.inputs = model->inputSpecs;
  info.outputs = model->outputSpecs;
  info.target = libraryTarget(options);
  info.cuda = true;
  info.triple = options.targetTriple;
  llvm::SmallString<128> dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("openopt-gpu-model", dir))
    return createStringError("cannot create a temporary folder: %s", ec.message().c_str());
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, "lib" + info.name + ".so");
  llvm::Error linked = linkModelLibrary(*code, entryName, info, path);
  openopt_error *error = nullptr;
  openopt_status status = OPENOPT_OK;
  if (!linked)
    status = openopt_model_open(path.c_str(), &model->runtimeModel, &error);
  (void)llvm::sys::fs::remove(path);
  (void)llvm::sys::fs::remove(dir);
  if (linked)
    return std::move(linked);
  if (status == OPENOPT_OK)
    status = openopt_session_create(model->runtimeModel, nullptr, &model->session, &error);
  if (status == OPENOPT_OK && profiled)
    status = openopt_session_set_profiling(model->session, 1, &error);
  if (status != OPENOPT_OK)
    return runtimeError(status, error);
  model->kernelTiming = profiled;
  return model;
}

llvm::Expected<std::vector<CompiledModel::KernelTime>> CompiledModel::kernelTimes() {
  std::lock_guard<std::mutex> lock(runLock);
  openopt_error *error = nullptr;
  size_t count = 0;
  if (openopt_status status = openopt_session_kernel_times(session, nullptr, 0, &count, &error);
      status != OPENOPT_OK)
    return runtimeError(status, error);
  std::vector<openopt_kernel_time> raw(count);
  if (openopt_status status =
          openopt_session_kernel_times(session, raw.data(), raw.size(), &count, &error);
      status != OPENOPT_OK)
    return runtimeError(status, error);
  std::vector<KernelTime> times;
  for (const openopt_kernel_time &t : llvm::ArrayRef(raw).take_front(count))
    times.push_back({t.name ? t.name : "?", t.start_ms, t.milliseconds, t.flops, t.bytes});
  return times;
}

std::vector<HostTensor> CompiledModel::allocateOutputs() const {
  std::vector<HostTensor> outputs;
  for (const auto &spec : outputSpecs)
    outputs.push_back(spec.hasStaticShape() ? HostTensor(spec.dtype, spec.shape) : HostTensor());
  return outputs;
}

llvm::Error CompiledModel::run(llvm::ArrayRef<const HostTensor *> inputs,
                               std::vector<HostTensor> &outputs) {
  std::vector<openopt_tensor> in(inputs.size());
  for (auto [t, given] : llvm::zip(in, inputs)) {
    if (given->shape().size() > OPENOPT_MAX_RANK)
      return createStringError("an input of rank %zu (%s): the runtime takes at most %d "
                               "dimensions",
                               given->shape().size(), given->describe().c_str(), OPENOPT_MAX_RANK);
    t.dtype = openopt_dtype(runtimeDType(given->dtype()));
    t.rank = int32_t(given->shape().size());
    llvm::copy(given->shape(), t.shape);
    t.data = const_cast<char *>(given->data());
    t.bytes = size_t(given->numBytes());
  }
  // Outputs of static shape are written in place (allocated here when
  // missing); returned ones come back in the session's buffers.
  outputs.resize(outputSpecs.size());
  std::vector<openopt_tensor> out(outputSpecs.size());
  if (!returnOutputs)
    for (auto [spec, t, o] : llvm::zip(outputSpecs, outputs, out)) {
      if (t.dtype() != spec.dtype || t.shape() != llvm::ArrayRef<int64_t>(spec.shape) ||
          (!t.data() && t.numBytes()))
        t = HostTensor(spec.dtype, spec.shape);
      o.data = t.data();
      o.bytes = size_t(t.numBytes());
    }
  std::lock_guard<std::mutex> lock(runLock);
  openopt_error *error = nullptr;
  if (openopt_status status =
          openopt_session_run(session, in.data(), in.size(), out.data(), out.size(), &error);
      status != OPENOPT_OK)
    return runtimeError(status, error);
  if (returnOutputs)
    for (auto [spec, t, o] : llvm::zip(outputSpecs, outputs, out)) {
      t = HostTensor(spec.dtype, llvm::ArrayRef<int64_t>(o.shape, size_t(o.rank)));
      if (t.numBytes())
        std::memcpy(t.data(), o.data, size_t(t.numBytes()));
    }
  return llvm::Error::success();
}

} // namespace openopt
