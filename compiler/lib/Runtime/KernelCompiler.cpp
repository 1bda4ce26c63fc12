//===- KernelCompiler.cpp - a bufferized model to object code -------------===//
#include "openopt/Runtime/KernelCompiler.h"

#include "ModelWeights.h"
#include "openopt/Codegen/CPU/Passes.h"
#include "openopt/Runtime/NativeCode.h"
#include "openopt/Support/Diagnostics.h"
#include "openopt/Support/ResourceBlobs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

using llvm::createStringError;

namespace openopt {

namespace {

/// Identifies the compiler that produced an object. Any rebuild relinks the
/// executable, which changes its size or time; that is enough to never reuse
/// code made by another build.
std::string buildIdentity() {
  static std::string identity = [] {
    std::string text = "openopt " OPENOPT_VERSION_STRING " llvm " LLVM_VERSION_STRING;
    static int anchor;
    std::string exe = llvm::sys::fs::getMainExecutable("openopt", &anchor);
    llvm::sys::fs::file_status status;
    if (!exe.empty() && !llvm::sys::fs::status(exe, status))
      text += " " + exe + " " + std::to_string(status.getSize()) + " " +
              std::to_string(llvm::sys::toTimeT(status.getLastModificationTime()));
    return text;
  }();
  return identity;
}

std::string hexKey(llvm::StringRef salt, llvm::StringRef text) {
  llvm::SHA256 sha;
  sha.update(salt);
  sha.update(llvm::StringRef("\n", 1));
  sha.update(text);
  auto digest = sha.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

/// `_mlir_<name>(void **args)`: loads each argument through args[i], calls
/// `name`, and stores a result through args[n].
void addPackedWrapper(llvm::Module &module, llvm::StringRef name) {
  llvm::Function *callee = module.getFunction(name);
  if (!callee)
    return;
  llvm::LLVMContext &ctx = module.getContext();
  auto *ptr = llvm::PointerType::getUnqual(ctx);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *wrapper = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                         "_mlir_" + name, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", wrapper));
  llvm::Value *packed = wrapper->getArg(0);
  llvm::SmallVector<llvm::Value *> args;
  for (llvm::Argument &param : callee->args()) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, packed, param.getArgNo());
    args.push_back(b.CreateLoad(param.getType(), b.CreateLoad(ptr, slot)));
  }
  llvm::Value *result = b.CreateCall(callee, args);
  if (!callee->getReturnType()->isVoidTy()) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, packed, callee->arg_size());
    b.CreateStore(result, b.CreateLoad(ptr, slot));
  }
  b.CreateRetVoid();
}

/// One object to produce: LLVM IR in a context of its own, so units
/// optimise and emit on different threads.
struct Unit {
  std::string key; // empty: not cached
  std::unique_ptr<llvm::LLVMContext> context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module;
  KernelCache::Object object;
  std::string error;
  unsigned optLevel = 3;
};

/// Whether the model's own code, once the kernels are out, still computes:
/// ops left in loops and branches (control flow), or loops of its own.
bool glueComputes(mlir::ModuleOp module) {
  bool computes = false;
  // Pre-order, so that skipping a kernel skips its body.
  module.walk<mlir::WalkOrder::PreOrder>([&](mlir::Operation *op) {
    if (auto func = llvm::dyn_cast<mlir::func::FuncOp>(op))
      return func->hasAttr(kKernelAttr) ? mlir::WalkResult::skip() : mlir::WalkResult::advance();
    if (llvm::isa<mlir::LoopLikeOpInterface, mlir::linalg::LinalgOp>(op))
      computes = true;
    return computes ? mlir::WalkResult::interrupt() : mlir::WalkResult::advance();
  });
  return computes;
}

llvm::Error translate(mlir::ModuleOp module, Unit &unit, llvm::StringRef what) {
  unit.module = mlir::translateModuleToLLVMIR(module, *unit.context, what);
  if (!unit.module)
    return createStringError("cannot translate %s to LLVM IR", what.str().c_str());
  return llvm::Error::success();
}

/// Copies `ops` into a module of their own, lowers it with `pipeline` and
/// translates it: a unit that will be cached under `key`.
llvm::Expected<std::unique_ptr<Unit>> lowerUnit(mlir::MLIRContext *context,
                                                llvm::ArrayRef<mlir::Operation *> ops,
                                                llvm::StringRef pipeline, std::string key,
                                                llvm::StringRef name) {
  mlir::OwningOpRef<mlir::ModuleOp> unitModule =
      mlir::ModuleOp::create(mlir::UnknownLoc::get(context));
  mlir::OpBuilder builder = mlir::OpBuilder::atBlockEnd(unitModule->getBody());
  for (mlir::Operation *op : ops)
    mlir::cast<mlir::SymbolOpInterface>(builder.clone(*op)).setPublic();
  if (auto err = runPipeline(*unitModule, pipeline))
    return createStringError("%s: %s", name.str().c_str(), llvm::toString(std::move(err)).c_str());
  auto unit = std::make_unique<Unit>();
  unit->key = std::move(key);
  if (auto err = translate(*unitModule, *unit, name))
    return std::move(err);
  return unit;
}

void emitObject(Unit &unit, llvm::orc::JITTargetMachineBuilder builder) {
  auto object = emitHostObject(*unit.module, builder, unit.optLevel);
  if (!object) {
    unit.error = llvm::toString(object.takeError());
    return;
  }
  unit.object = std::make_shared<const std::string>(std::move(*object));
  unit.module.reset();
  unit.context.reset();
}

} // namespace

llvm::Expected<ObjectCode> compileObjectCode(mlir::ModuleOp module,
                                             const CpuPipelineOptions &options,
                                             const ObjectCodeOptions &objectOptions) {
  KernelCache &cache = objectOptions.cache ? *objectOptions.cache : KernelCache::shared();
  if (!objectOptions.wholeModule)
    if (auto err = runPipeline(module, "builtin.module(openopt-outline-kernels,"
                                       "func.func(openopt-plan-buffers))"))
      return std::move(err);
  auto target = targetBuilder(options.targetTriple, options.vectorBits);
  if (!target)
    return target.takeError();
  std::string backPipeline = cpuBackPipeline(options);
  std::string salt = buildIdentity() + "\n" + target->getTargetTriple().str() + " " +
                     target->getCPU() + " " + target->getFeatures().getString() + "\n" +
                     backPipeline;

  ObjectCode code;
  llvm::SmallVector<mlir::func::FuncOp> kernels;
  for (auto func : module.getOps<mlir::func::FuncOp>())
    if (func->hasAttr(kKernelAttr))
      kernels.push_back(func);
  // Each call of a kernel, with the kernel it calls.
  mlir::SymbolTable symbols(module);
  llvm::SmallVector<std::pair<mlir::func::CallOp, mlir::func::FuncOp>> calls;
  module.walk([&](mlir::func::CallOp call) {
    if (auto callee = symbols.lookup<mlir::func::FuncOp>(call.getCallee()))
      if (callee->hasAttr(kKernelAttr))
        calls.push_back({call, callee});
  });
  code.kernels.calls = calls.size();
  code.kernels.distinct = kernels.size();

  // Kernels: looked up, or lowered one module each. MLIR work stays on this
  // thread (the context is single-threaded); LLVM work runs in parallel.
  std::vector<std::unique_ptr<Unit>> units;
  units.push_back(std::make_unique<Unit>()); // the model's own code
  std::vector<KernelCache::Object> reused;
  for (mlir::func::FuncOp kernel : kernels) {
    std::string text;
    llvm::raw_string_ostream os(text);
    // Local scope: value names must not depend on what else is in the module.
    kernel->print(os, mlir::OpPrintingFlags().printGenericOpForm().useLocalScope());
    std::string key = hexKey(salt, text);
    if (auto object = cache.lookup(key)) {
      reused.push_back(std::move(object));
      ++code.kernels.reused;
      continue;
    }
    auto unit = lowerUnit(module.getContext(), {kernel.getOperation()}, backPipeline, key,
                          ("kernel " + kernel.getSymName()).str());
    if (!unit)
      return unit.takeError();
    units.push_back(std::move(*unit));
    ++code.kernels.compiled;
  }

  // The weights: bound in memory for the JIT where possible, else one more
  // unit, cached by content. The model's code declares them either way.
  llvm::SmallVector<mlir::memref::GlobalOp> weights, weightObject;
  for (auto global : module.getOps<mlir::memref::GlobalOp>())
    if (auto value = global.getInitialValue(); value && llvm::isa<mlir::ElementsAttr>(*value))
      weights.push_back(global);
  if (objectOptions.weightsInMemory)
    code.weights = weightBuffers(weights, weightObject, options.releaseWeightBlobs);
  else
    weightObject = weights;
  if (!weightObject.empty()) {
    std::string key = hexKey(salt + "\nweights", weightsFingerprint(weightObject));
    KernelCache::Object object = cache.lookup(key);
    if (!object) {
      llvm::SmallVector<mlir::Operation *> ops(llvm::map_range(
          weightObject, [](mlir::memref::GlobalOp g) { return g.getOperation(); }));
      auto unit = lowerUnit(module.getContext(), ops,
                            "builtin.module(finalize-memref-to-llvm,reconcile-unrealized-casts)",
                            key, "the weights");
      if (!unit)
        return unit.takeError();
      units.push_back(std::move(*unit));
    } else {
      reused.push_back(std::move(object));
    }
  }
  for (mlir::memref::GlobalOp global : weights) {
    // Lowered into the weights' own unit above (or already freed).
    if (options.releaseWeightBlobs)
      releaseBlobOf(*global.getInitialValue());
    global.setInitialValueAttr(nullptr);
    global.setPublic();
  }

  // The model's own code (its glue) makes each kernel call through a slot
  // of its own, `openopt_slot_<i>` for the i-th call, bound to the kernel's
  // symbol when linking: an edit that changes what kernels compute but not
  // their signatures (even one that makes two calls of a kernel two kernels)
  // leaves the glue as it was, so the glue is cached as well. When it only
  // allocates, takes views and calls, -O0 makes code as fast as -O3 (the
  // time is in the kernels) in a fraction of the compile time.
  unsigned glueOptLevel = glueComputes(module) ? 3 : 0;
  for (mlir::func::FuncOp kernel : kernels)
    kernel.eraseBody();
  mlir::OpBuilder builder = mlir::OpBuilder::atBlockEnd(module.getBody());
  for (auto [i, entry] : llvm::enumerate(calls)) {
    auto [call, kernel] = entry;
    std::string slot = "openopt_slot_" + std::to_string(i);
    code.slots.push_back({slot, kernel.getSymName().str()});
    llvm::cast<mlir::func::FuncOp>(builder.clone(*kernel)).setSymName(slot);
    call.setCallee(slot);
  }
  for (mlir::func::FuncOp kernel : kernels)
    kernel.erase();
  // A pass record of the glue's lowering needs the lowering to run.
  auto instrumentation =
      objectOptions.instrumentation ? objectOptions.instrumentation() : nullptr;
  std::string glueKey;
  KernelCache::Object glue;
  if (!instrumentation && !objectOptions.wholeModule) {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, mlir::OpPrintingFlags().printGenericOpForm().useLocalScope());
    glueKey = hexKey(salt + "\nglue -O" + std::to_string(glueOptLevel) + " packed " +
                         objectOptions.packedEntry,
                     text);
    glue = cache.lookup(glueKey);
  }
  if (glue) {
    units.erase(units.begin());
    code.kernels.glueReused = true;
  } else {
    Unit &unit = *units.front();
    unit.key = glueKey;
    unit.optLevel = glueOptLevel;
    if (auto err = runPipeline(module, backPipeline, std::move(instrumentation)))
      return std::move(err);
    // The cuda target's kernel costs (KernelNames.h), as text for the library.
    if (auto costs = module->getAttrOfType<mlir::DictionaryAttr>("openopt.kernel_costs")) {
      for (mlir::NamedAttribute entry : costs)
        if (auto pair = llvm::dyn_cast<mlir::ArrayAttr>(entry.getValue()); pair && pair.size() == 2)
          code.kernelCosts += (entry.getName().strref() + " " +
                               llvm::Twine(llvm::cast<mlir::IntegerAttr>(pair[0]).getInt()) + " " +
                               llvm::Twine(llvm::cast<mlir::IntegerAttr>(pair[1]).getInt()) + "\n")
                                  .str();
      module->removeAttr("openopt.kernel_costs");
    }
    if (auto err = translate(module, unit, "model"))
      return std::move(err);
    if (!objectOptions.packedEntry.empty())
      addPackedWrapper(*unit.module, objectOptions.packedEntry);
  }

  {
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
    for (auto &unit : units)
      pool.async([&unit, &target] { emitObject(*unit, *target); });
    pool.wait();
  }
  if (glue)
    code.objects.push_back(glue);
  for (auto &unit : units) {
    if (!unit->error.empty())
      return createStringError("code generation failed: %s", unit->error.c_str());
    if (!unit->key.empty())
      cache.store(unit->key, unit->object);
    code.objects.push_back(unit->object);
  }
  llvm::append_range(code.objects, reused);
  return code;
}

} // namespace openopt
