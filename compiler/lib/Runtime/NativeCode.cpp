//===- NativeCode.cpp - LLVM IR and object files for this host -----------===//
#include "openopt/Runtime/NativeCode.h"

#include "openopt/Runtime/KernelCompiler.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

namespace openopt {

llvm::Error writeNativeCode(mlir::ModuleOp module, llvm::StringRef llvmIRPath,
                            llvm::StringRef objectPath) {
  prepareHostCodegen();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  // Objects are linked into programs that may be position independent.
  builder->setRelocationModel(llvm::Reloc::PIC_);
  auto machine = builder->createTargetMachine();
  if (!machine)
    return machine.takeError();

  llvm::LLVMContext llvmContext;
  auto llvmModule = mlir::translateModuleToLLVMIR(module, llvmContext, "openopt");
  if (!llvmModule)
    return llvm::createStringError("cannot translate the module to LLVM IR (is it fully "
                                   "lowered to the LLVM dialect?)");
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  llvmModule->setDataLayout((*machine)->createDataLayout());
  if (auto err = mlir::makeOptimizingTransformer(3, 0, machine->get())(llvmModule.get()))
    return err;

  if (!llvmIRPath.empty()) {
    std::error_code ec;
    llvm::ToolOutputFile out(llvmIRPath, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return llvm::createStringError("cannot write '%s': %s", llvmIRPath.str().c_str(),
                                     ec.message().c_str());
    llvmModule->print(out.os(), nullptr);
    out.keep();
  }
  if (!objectPath.empty()) {
    std::error_code ec;
    llvm::ToolOutputFile out(objectPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return llvm::createStringError("cannot write '%s': %s", objectPath.str().c_str(),
                                     ec.message().c_str());
    llvm::legacy::PassManager codegen;
    if ((*machine)->addPassesToEmitFile(codegen, out.os(), nullptr,
                                        llvm::CodeGenFileType::ObjectFile))
      return llvm::createStringError("this host's target cannot emit object files");
    codegen.run(*llvmModule);
    out.keep();
  }
  return llvm::Error::success();
}

} // namespace openopt
