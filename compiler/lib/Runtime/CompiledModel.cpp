//===- CompiledModel.cpp - a model JIT-compiled for this CPU --------------===//
#include "openopt/Runtime/CompiledModel.h"

#include "openopt/Support/Diagnostics.h"
#include "openopt/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"

using namespace mlir;
using llvm::createStringError;

namespace openopt {

std::string TensorSpec::describe() const {
  std::string text = "'" + name + "' " + dtypeName(dtype).str() + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") +
            (ShapedType::isDynamic(shape[i]) ? std::string("?") : std::to_string(shape[i]));
  return text + "]";
}

llvm::Expected<DType> dtypeOf(Type t) {
  if (t.isF32()) return DType::F32;
  if (t.isF64()) return DType::F64;
  if (t.isF16()) return DType::F16;
  if (t.isBF16()) return DType::BF16;
  if (t.isInteger(1)) return DType::Bool;
  if (t.isUnsignedInteger(8)) return DType::U8;
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
    specs.push_back({nameOf(dict, prefix.str() + std::to_string(i)), *dtype,
                     llvm::SmallVector<int64_t>(tensor.getShape())});
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
CompiledModel::compile(ModuleOp module, const CpuPipelineOptions &options) {
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
  for (const auto &spec : *inputs)
    if (llvm::any_of(spec.shape, ShapedType::isDynamic))
      return createStringError("input %s has dynamic dimensions: give concrete inputs",
                               spec.describe().c_str());
  model->inputSpecs = std::move(*inputs);
  model->outputSpecs = std::move(*outputs);
  std::string entryName = func.getSymName().str();

  if (auto err = runPipeline(module, cpuPipeline(options)))
    return std::move(err);
  if (options.profile) {
    auto table = readProfiledOps(module);
    if (!table)
      return table.takeError();
    model->opTable = std::move(*table);
    model->collector = std::make_unique<ProfileCollector>(model->opTable.size());
    // The LLVM translation has no use for the table.
    module->removeAttr(kProfileOpsAttr);
  }

  static bool targetReady = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)targetReady;
  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder)
    return tmBuilder.takeError();
  tmBuilder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = tmBuilder->createTargetMachine();
  if (!tm)
    return tm.takeError();
  ExecutionEngineOptions engineOptions;
  model->optimizer = makeOptimizingTransformer(3, 0, tm->get());
  engineOptions.transformer = model->optimizer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // memrefCopy (strided copies after bufferization) lives here.
  static const std::string runnerUtils = OPENOPT_MLIR_C_RUNNER_UTILS;
  // The OpenMP runtime runs the parallel loops of multi-threaded code.
  static const std::string openmp = OPENOPT_OPENMP_RUNTIME;
  llvm::SmallVector<llvm::StringRef> libs = {runnerUtils};
  if (options.threads > 1)
    libs.push_back(openmp);
  engineOptions.sharedLibPaths = libs;
  auto engine = ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (!engine)
    return engine.takeError();
  if (model->collector)
    (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
      llvm::orc::SymbolMap symbols;
      auto define = [](void *address) {
        return llvm::orc::ExecutorSymbolDef(llvm::orc::ExecutorAddr::fromPtr(address),
                                            llvm::JITSymbolFlags::Exported);
      };
      symbols[interner(kProfileEnterHook)] = define(ProfileCollector::enterHookAddress());
      symbols[interner(kProfileExitHook)] = define(ProfileCollector::exitHookAddress());
      return symbols;
    });
  (*engine)->initialize();
  auto entry = (*engine)->lookupPacked(entryName);
  if (!entry)
    return entry.takeError();
  model->entry = *entry;
  model->engine = std::move(*engine);
  return model;
}

std::vector<HostTensor> CompiledModel::allocateOutputs() const {
  std::vector<HostTensor> outputs;
  for (const auto &spec : outputSpecs)
    outputs.emplace_back(spec.dtype, spec.shape);
  return outputs;
}

llvm::Error CompiledModel::run(llvm::ArrayRef<const HostTensor *> inputs,
                               llvm::MutableArrayRef<HostTensor> outputs) {
  if (inputs.size() != inputSpecs.size())
    return createStringError("the model takes %zu inputs, got %zu", inputSpecs.size(),
                             inputs.size());
  if (outputs.size() != outputSpecs.size())
    return createStringError("the model has %zu outputs, got %zu buffers", outputSpecs.size(),
                             outputs.size());
  auto check = [](const TensorSpec &spec, const HostTensor &t, const char *what) -> llvm::Error {
    if (t.dtype() != spec.dtype || t.shape() != llvm::ArrayRef<int64_t>(spec.shape))
      return createStringError("%s %s expects %s, got %s", what, spec.name.c_str(),
                               spec.describe().c_str(), t.describe().c_str());
    return llvm::Error::success();
  };
  // Bare-pointer convention: one data pointer per memref argument, inputs
  // then outputs; packed calls take the address of each argument.
  llvm::SmallVector<void *> pointers;
  for (auto [spec, t] : llvm::zip(inputSpecs, inputs)) {
    if (auto err = check(spec, *t, "input"))
      return err;
    pointers.push_back(const_cast<char *>(t->data()));
  }
  for (auto [spec, t] : llvm::zip(outputSpecs, outputs)) {
    if (auto err = check(spec, t, "output"))
      return err;
    pointers.push_back(t.data());
  }
  llvm::SmallVector<void *> args;
  for (void *&p : pointers)
    args.push_back(&p);
  if (collector) {
    ProfileCollector::RunScope scope(*collector);
    entry(args.data());
  } else {
    entry(args.data());
  }
  return llvm::Error::success();
}

} // namespace openopt
