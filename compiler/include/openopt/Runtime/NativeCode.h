//===- NativeCode.h - LLVM IR and object files for this host ----*- C++ -*-===//
#ifndef OPENOPT_RUNTIME_NATIVECODE_H
#define OPENOPT_RUNTIME_NATIVECODE_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace openopt {

/// Initialises LLVM's native target once, with the code generation settings
/// every compile of this project uses (see the unrolling cap in the .cpp).
void prepareHostCodegen();

/// The host CPU as a target (its features detected), -O3 code generation,
/// position-independent code. `vectorBits` 256 (a recipe's "isa": "avx2")
/// takes AVX-512 away from the features, so that the code is what an
/// AVX2-only host gets (its 256-bit register tiles stay 256-bit); 0 or 512:
/// the host as it is, with LLVM's own vectorizer using 512-bit vectors
/// where the host has AVX-512 (its tuning for Intel's cores prefers 256).
llvm::Expected<llvm::orc::JITTargetMachineBuilder> hostTargetBuilder(int vectorBits = 0);

/// What a target triple names: this machine, or another one the compiler
/// can cross-compile for.
enum class TargetKind { Host, AArch64Linux };

/// The kind of `triple` ("" is this machine), or an error naming the targets
/// there are.
llvm::Expected<TargetKind> targetKind(llvm::StringRef triple);

/// The target for `triple`: this machine as hostTargetBuilder(vectorBits)
/// gives it, or for "aarch64-linux-gnu" any ARMv8-A core with NEON (a cross
/// compile: -O3, position independent).
llvm::Expected<llvm::orc::JITTargetMachineBuilder> targetBuilder(llvm::StringRef triple,
                                                                 int vectorBits = 0);

/// Optimises `module` at `optLevel` for the target and returns it as a
/// relocatable ELF object. Thread-safe for modules in different contexts.
llvm::Expected<std::string> emitHostObject(llvm::Module &module,
                                           const llvm::orc::JITTargetMachineBuilder &builder,
                                           unsigned optLevel);

/// Runs ld.lld with `leading` arguments, the objects (as temporary files),
/// then `trailing` arguments; `output` names what is made, for errors (which
/// quote the linker's messages).
llvm::Error linkWithLLD(const std::vector<std::shared_ptr<const std::string>> &objects,
                        llvm::ArrayRef<std::string> leading, llvm::ArrayRef<std::string> trailing,
                        llvm::StringRef output);

/// Links `objects` into one relocatable object at `path` (with ld.lld -r),
/// defining each alias (first) as another name of its target (second).
llvm::Error linkRelocatable(const std::vector<std::shared_ptr<const std::string>> &objects,
                            llvm::StringRef path,
                            llvm::ArrayRef<std::pair<std::string, std::string>> aliases = {});

/// Translates an LLVM-dialect module to LLVM IR, optimises it at O3 for the
/// target (`triple`, "" for this machine), and writes it as text (`llvmIRPath`) and/or as a relocatable
/// object file (`objectPath`); an empty path skips that output.
llvm::Error writeNativeCode(mlir::ModuleOp module, llvm::StringRef llvmIRPath,
                            llvm::StringRef objectPath, int vectorBits = 0,
                            llvm::StringRef triple = "");

} // namespace openopt

#endif // OPENOPT_RUNTIME_NATIVECODE_H
