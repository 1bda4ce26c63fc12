//===- NativeCode.h - LLVM IR and object files for this host ----*- C++ -*-===//
#ifndef OPENOPT_RUNTIME_NATIVECODE_H
#define OPENOPT_RUNTIME_NATIVECODE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

namespace openopt {

/// Translates an LLVM-dialect module to LLVM IR, optimises it at O3 for the
/// host CPU, and writes it as text (`llvmIRPath`) and/or as a relocatable
/// object file (`objectPath`); an empty path skips that output.
llvm::Error writeNativeCode(mlir::ModuleOp module, llvm::StringRef llvmIRPath,
                            llvm::StringRef objectPath);

} // namespace openopt

#endif // OPENOPT_RUNTIME_NATIVECODE_H
