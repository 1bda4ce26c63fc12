//===- NativeCode.cpp - LLVM IR and object files for this host -----------===//
#include "openopt/Runtime/NativeCode.h"
#include "openopt/Support/VectorBits.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using llvm::createStringError;

namespace openopt {

void prepareHostCodegen() {
  static bool ready = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // LLVM fully unrolls loops of any trip count when the target's cost
    // model says so: on Zen 5 a broadcast over 24 x 3136 floats became 4,704
    // stores in one block, and the instruction schedulers took 4 s on it (the
    // whole MobileNetV2 otherwise compiles in about 2). Loops of more
    // iterations stay loops (partial unrolling and vectorization still
    // apply). 4, not 16: full unrolling runs before the loop vectorizer, and
    // an inner loop of 5-16 iterations unrolled into straight-line code is
    // left to the SLP vectorizer, which mostly does not recover it (the
    // Winograd transforms' 8-tile rows: resnet18w48 16.6 ms at 16, 13.4 at 4,
    // and longer compiles). Loops of 2-4 (pooling windows, the 2x2 blocks of
    // a Winograd output) are still unrolled. A value given on LLVM's command
    // line wins.
    auto &options = llvm::cl::getRegisteredOptions();
    if (auto *option = options.lookup("unroll-full-max-count");
        option && option->getNumOccurrences() == 0)
      option->addOccurrence(0, "unroll-full-max-count", "4");
    return true;
  }();
  (void)ready;
}

llvm::Expected<llvm::orc::JITTargetMachineBuilder> hostTargetBuilder(int vectorBits) {
  prepareHostCodegen();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  // Clearing avx512f clears every feature that implies it (BW, VL, VNNI,
  // BF16, ...); the CPU name stays, for its scheduling model.
  if (vectorBits == 256)
    builder->getFeatures().AddFeature("avx512f", false);
  // LLVM's tuning for Intel's AVX-512 server cores (Ice Lake to Granite
  // Rapids) prefers 256-bit vectors in the code it vectorizes itself (the
  // matmul schedules choose their own width): there the element-wise,
  // depthwise, pooling and softmax loops ran on ymm. These cores run zmm
  // at full width: the 12x128x128 softmax 0.173 -> 0.130 ms, MobileNetV2
  // at 1 thread 5.46 -> 5.14 ms. AMD's Zen 4/5 tuning has no such
  // preference, so there this changes nothing.
  else if (resolveVectorBits(vectorBits) >= 512)
    builder->getFeatures().AddFeature("prefer-256-bit", false);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  // Position independent: the same objects are JIT-linked and linked into
  // the objects `openopt compile` writes (and into programs).
  builder->setRelocationModel(llvm::Reloc::PIC_);
  return builder;
}

extern "C" {
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64Target();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64AsmPrinter();
}

llvm::Expected<TargetKind> targetKind(llvm::StringRef triple) {
  if (triple.empty())
    return TargetKind::Host;
  llvm::Triple given(llvm::Triple::normalize(triple));
  llvm::Triple host(llvm::sys::getProcessTriple());
  if (given.getArch() == host.getArch() && given.getOS() == host.getOS())
    return TargetKind::Host;
  if (given.getArch() == llvm::Triple::aarch64 && given.isOSLinux())
    return TargetKind::AArch64Linux;
  return createStringError("cannot compile for '%s': the targets are this machine (%s) and "
                           "aarch64-linux-gnu",
                           triple.str().c_str(), host.str().c_str());
}

llvm::Expected<llvm::orc::JITTargetMachineBuilder> targetBuilder(llvm::StringRef triple,
                                                                 int vectorBits) {
  auto kind = targetKind(triple);
  if (!kind)
    return kind.takeError();
  if (*kind == TargetKind::Host)
    return hostTargetBuilder(vectorBits);
  prepareHostCodegen();
  static bool ready = [] {
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
    return true;
  }();
  (void)ready;
  // Any ARMv8-A core with NEON: nothing newer is assumed of the machine the
  // library will run on.
  llvm::orc::JITTargetMachineBuilder builder(llvm::Triple("aarch64-unknown-linux-gnu"));
  builder.setCPU("generic");
  builder.getFeatures().AddFeature("neon", true);
  builder.getFeatures().AddFeature("fp-armv8", true);
  builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  builder.setRelocationModel(llvm::Reloc::PIC_);
  return builder;
}

namespace {

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
prepareModule(llvm::Module &module, llvm::orc::JITTargetMachineBuilder builder,
              unsigned optLevel) {
  if (optLevel == 0)
    builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::None);
  auto machine = builder.createTargetMachine();
  if (!machine)
    return machine.takeError();
  module.setTargetTriple((*machine)->getTargetTriple());
  module.setDataLayout((*machine)->createDataLayout());
  if (auto err = mlir::makeOptimizingTransformer(optLevel, 0, machine->get())(&module))
    return std::move(err);
  return machine;
}

llvm::Error emit(llvm::Module &module, llvm::TargetMachine &machine, llvm::raw_pwrite_stream &os) {
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::ObjectFile))
    return createStringError("this host's target cannot emit object files");
  codegen.run(module);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::string> emitHostObject(llvm::Module &module,
                                           const llvm::orc::JITTargetMachineBuilder &builder,
                                           unsigned optLevel) {
  auto machine = prepareModule(module, builder, optLevel);
  if (!machine)
    return machine.takeError();
  llvm::SmallVector<char, 0> bytes;
  llvm::raw_svector_ostream os(bytes);
  if (auto err = emit(module, **machine, os))
    return std::move(err);
  return std::string(bytes.data(), bytes.size());
}

llvm::Error writeNativeCode(mlir::ModuleOp module, llvm::StringRef llvmIRPath,
                            llvm::StringRef objectPath, int vectorBits, llvm::StringRef triple) {
  auto builder = targetBuilder(triple, vectorBits);
  if (!builder)
    return builder.takeError();
  llvm::LLVMContext llvmContext;
  auto llvmModule = mlir::translateModuleToLLVMIR(module, llvmContext, "openopt");
  if (!llvmModule)
    return createStringError("cannot translate the module to LLVM IR (is it fully "
                             "lowered to the LLVM dialect?)");
  auto machine = prepareModule(*llvmModule, *builder, 3);
  if (!machine)
    return machine.takeError();

  if (!llvmIRPath.empty()) {
    std::error_code ec;
    llvm::ToolOutputFile out(llvmIRPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return createStringError("cannot write '%s': %s", llvmIRPath.str().c_str(),
                               ec.message().c_str());
    llvmModule->print(out.os(), nullptr);
    out.keep();
  }
  if (!objectPath.empty()) {
    std::error_code ec;
    llvm::ToolOutputFile out(objectPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return createStringError("cannot write '%s': %s", objectPath.str().c_str(),
                               ec.message().c_str());
    if (auto err = emit(*llvmModule, **machine, out.os()))
      return err;
    out.keep();
  }
  return llvm::Error::success();
}

llvm::Error linkWithLLD(const std::vector<std::shared_ptr<const std::string>> &objects,
                        llvm::ArrayRef<std::string> leading, llvm::ArrayRef<std::string> trailing,
                        llvm::StringRef output) {
  auto linker = llvm::sys::findProgramByName("ld.lld");
  if (!linker)
    linker = llvm::sys::findProgramByName("ld.lld", {OPENOPT_LLVM_TOOLS_DIR});
  if (!linker)
    return createStringError("cannot find ld.lld to link '%s'", output.str().c_str());
  llvm::SmallString<128> dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("openopt-link", dir))
    return createStringError("cannot create a temporary directory: %s", ec.message().c_str());
  std::vector<std::string> inputs;
  llvm::scope_exit cleanup([&] {
    for (const std::string &input : inputs)
      llvm::sys::fs::remove(input);
    llvm::sys::fs::remove(dir);
  });
  for (auto [i, object] : llvm::enumerate(objects)) {
    llvm::SmallString<128> file(dir);
    llvm::sys::path::append(file, std::to_string(i) + ".o");
    std::error_code ec;
    llvm::raw_fd_ostream out(file, ec, llvm::sys::fs::OF_None);
    if (ec)
      return createStringError("cannot write '%s': %s", file.c_str(), ec.message().c_str());
    out << *object;
    inputs.push_back(std::string(file));
  }
  std::vector<llvm::StringRef> args = {*linker};
  for (const std::string &arg : leading)
    args.push_back(arg);
  for (const std::string &input : inputs)
    args.push_back(input);
  for (const std::string &arg : trailing)
    args.push_back(arg);
  // The linker's complaints go to a file, to be quoted in the error.
  llvm::SmallString<128> log(dir);
  llvm::sys::path::append(log, "ld.log");
  inputs.push_back(std::string(log));
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*linker, args, std::nullopt, redirects, 0, 0, &message);
  if (rc != 0) {
    std::string said;
    if (auto text = llvm::MemoryBuffer::getFile(log))
      said = (*text)->getBuffer().take_front(4000).rtrim().str();
    return createStringError("ld.lld failed to link '%s' (exit %d)%s%s%s%s", output.str().c_str(),
                             rc, message.empty() ? "" : ": ", message.c_str(),
                             said.empty() ? "" : "\n", said.c_str());
  }
  return llvm::Error::success();
}

llvm::Error linkRelocatable(const std::vector<std::shared_ptr<const std::string>> &objects,
                            llvm::StringRef path,
                            llvm::ArrayRef<std::pair<std::string, std::string>> aliases) {
  std::vector<std::string> definitions;
  for (const auto &[alias, target] : aliases)
    definitions.push_back("--defsym=" + alias + "=" + target);
  return linkWithLLD(objects, {"-r", "-o", path.str()}, definitions, path);
}

} // namespace openopt
