//===- CompiledModel.cpp - a model JIT-compiled for this CPU --------------===//
#include "openopt/Runtime/CompiledModel.h"

#include "openopt/Runtime/BufferPool.h"
#include "openopt/Codegen/CPU/Passes.h"
#include "openopt/Support/Diagnostics.h"
#include "openopt/Support/ResourceBlobs.h"
#include "openopt/code_support.h"
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

// Each OpenMP thread on a CPU of its own, unless the user chose a binding
// (OMP_PLACES, OMP_PROC_BIND, KMP_AFFINITY). Unbound, a process's first
// ~30 ms of parallel regions ran 3-4x slower on the 2-vCPU hosts: mlp_b1 at
// 2 threads took 0.27 ms a call for its first ~100 calls, then 0.07, every
// call of a 20-call benchmark in the slow phase. libomp reads these at its
// first parallel region, after this; setting them once, before it is loaded.
void pinOpenMPThreadsByDefault() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("OMP_PLACES") || std::getenv("OMP_PROC_BIND") || std::getenv("KMP_AFFINITY"))
      return;
    ::setenv("OMP_PLACES", "threads", 0);
    ::setenv("OMP_PROC_BIND", "spread", 0);
  });
}

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

CompiledModel::~CompiledModel() = default;

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
    pinOpenMPThreadsByDefault();
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
  // A debugging aid: a map that cannot be written costs a warning only.
  if (perfMapRequested())
    if (auto err = appendPerfMap(**jit, code->objects))
      llvm::WithColor::warning() << "OPENOPT_PERF_MAP: " << llvm::toString(std::move(err)) << "\n";
  model->jit = std::move(*jit);
  return model;
}

std::vector<HostTensor> CompiledModel::allocateOutputs() const {
  std::vector<HostTensor> outputs;
  for (const auto &spec : outputSpecs)
    outputs.push_back(spec.hasStaticShape() ? HostTensor(spec.dtype, spec.shape) : HostTensor());
  return outputs;
}

namespace {

// The fields of one memref descriptor as the packed entry point takes them:
// allocated and aligned pointers, offset, sizes, strides (row-major).
void appendDescriptor(llvm::SmallVectorImpl<int64_t> &words, const char *data,
                      llvm::ArrayRef<int64_t> shape) {
  words.push_back(reinterpret_cast<int64_t>(data));
  words.push_back(reinterpret_cast<int64_t>(data));
  words.push_back(0);
  llvm::append_range(words, shape);
  llvm::SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  llvm::append_range(words, strides);
}

// Copies a returned (possibly strided) buffer into a dense tensor.
void copyStrided(char *dst, const char *src, int64_t elementBytes, llvm::ArrayRef<int64_t> sizes,
                 llvm::ArrayRef<int64_t> strides) {
  if (sizes.empty()) {
    std::memcpy(dst, src, elementBytes);
    return;
  }
  int64_t inner = 1;
  for (int64_t s : sizes.drop_front())
    inner *= s;
  for (int64_t i = 0; i < sizes[0]; ++i)
    copyStrided(dst + i * inner * elementBytes, src + i * strides[0] * elementBytes, elementBytes,
                sizes.drop_front(), strides.drop_front());
}

} // namespace

llvm::Error CompiledModel::run(llvm::ArrayRef<const HostTensor *> inputs,
                               std::vector<HostTensor> &outputs) {
  if (inputs.size() != inputSpecs.size())
    return createStringError("the model takes %zu inputs, got %zu", inputSpecs.size(),
                             inputs.size());
  // Sizes given to each named symbolic dimension, to check they agree.
  llvm::StringMap<std::pair<int64_t, std::string>> symbols;
  for (auto [spec, t] : llvm::zip(inputSpecs, inputs)) {
    if (t->dtype() != spec.dtype)
      return createStringError("input %s expects %s, got %s", spec.name.c_str(),
                               spec.describe().c_str(), t->describe().c_str());
    if (t->shape().size() != spec.shape.size())
      return createStringError("input %s has rank %zu, got a tensor of rank %zu (%s)",
                               spec.describe().c_str(), spec.shape.size(), t->shape().size(),
                               t->describe().c_str());
    for (size_t d = 0; d < spec.shape.size(); ++d)
      if (!ShapedType::isDynamic(spec.shape[d]) && spec.shape[d] != t->shape()[d])
        return createStringError("input %s: dimension %zu is fixed to %lld by the model, got %lld "
                                 "(%s)",
                                 spec.describe().c_str(), d, (long long)spec.shape[d],
                                 (long long)t->shape()[d], t->describe().c_str());
    for (size_t d = 0; d < spec.dimNames.size() && d < spec.shape.size(); ++d) {
      const std::string &symbol = spec.dimNames[d];
      if (!ShapedType::isDynamic(spec.shape[d]) || symbol.empty() || symbol == "?")
        continue;
      auto [it, inserted] = symbols.try_emplace(symbol, t->shape()[d], spec.name);
      if (!inserted && it->second.first != t->shape()[d])
        return createStringError(
            "dimension '%s' is %lld in input '%s' but %lld in input '%s'", symbol.c_str(),
            (long long)it->second.first, it->second.second.c_str(), (long long)t->shape()[d],
            spec.name.c_str());
    }
  }
  outputs.resize(outputSpecs.size());
  llvm::SmallVector<int64_t> words;
  for (auto [spec, t] : llvm::zip(inputSpecs, inputs))
    appendDescriptor(words, t->data(), t->shape());
  if (!returnOutputs) {
    for (auto [spec, t] : llvm::zip(outputSpecs, outputs)) {
      if (t.dtype() != spec.dtype || t.shape() != llvm::ArrayRef<int64_t>(spec.shape) ||
          (!t.data() && t.numBytes()))
        t = HostTensor(spec.dtype, spec.shape);
      appendDescriptor(words, t.data(), t.shape());
    }
  }
  // Returned outputs: one descriptor per output, as the entry point's result.
  llvm::SmallVector<int64_t> results;
  if (returnOutputs)
    for (const TensorSpec &spec : outputSpecs)
      results.resize(results.size() + 3 + 2 * spec.shape.size());
  llvm::SmallVector<void *> args;
  for (int64_t &w : words)
    args.push_back(&w);
  if (returnOutputs)
    args.push_back(results.data());

  char failure[1024];
  bool failed;
  if (collector) {
    ProfileCollector::RunScope scope(*collector);
    failed = openopt_checked_call(entry, args.data(), failure, sizeof(failure));
  } else {
    failed = openopt_checked_call(entry, args.data(), failure, sizeof(failure));
  }
  if (failed)
    return createStringError("%s", failure);
  if (!returnOutputs)
    return llvm::Error::success();

  // Each buffer is the callee's own allocation (the deallocation pipeline
  // clones any result it does not own); free each one once.
  llvm::SmallPtrSet<void *, 8> freed;
  size_t at = 0;
  for (auto [spec, t] : llvm::zip(outputSpecs, outputs)) {
    size_t rank = spec.shape.size();
    void *allocated = reinterpret_cast<void *>(results[at]);
    const char *aligned = reinterpret_cast<const char *>(results[at + 1]);
    int64_t offset = results[at + 2];
    llvm::ArrayRef<int64_t> sizes(results.data() + at + 3, rank);
    llvm::ArrayRef<int64_t> strides(results.data() + at + 3 + rank, rank);
    at += 3 + 2 * rank;
    t = HostTensor(spec.dtype, sizes);
    if (t.numElements() > 0)
      copyStrided(t.data(), aligned + offset * dtypeSize(spec.dtype), dtypeSize(spec.dtype),
                  sizes, strides);
    if (allocated && freed.insert(allocated).second)
      bufferpool::release(allocated);
  }
  return llvm::Error::success();
}

} // namespace openopt
