//===- Passes.h - CPU code generation passes -------------------*- C++ -*-===//
#ifndef OPENOPT_CODEGEN_CPU_PASSES_H
#define OPENOPT_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "llvm/ADT/StringRef.h"

namespace mlir {
namespace arith { class ArithDialect; }
namespace cf { class ControlFlowDialect; }
namespace func { class FuncDialect; }
namespace LLVM { class LLVMDialect; }
namespace linalg { class LinalgDialect; }
namespace math { class MathDialect; }
namespace memref { class MemRefDialect; }
namespace omp { class OpenMPDialect; }
namespace scf { class SCFDialect; }
namespace tensor { class TensorDialect; }
namespace transform { class TransformDialect; }
namespace vector { class VectorDialect; }
namespace x86vector { class X86VectorDialect; }
} // namespace mlir

namespace openopt {
/// The C function a failed run-time check calls with its message; it must not
/// return (the runtime unwinds to the model's caller).
inline constexpr llvm::StringLiteral kRuntimeFailHook = "openopt_runtime_fail";
/// What openopt-openmp-thread-budget calls: `i32 ()`, at most this many
/// threads per parallel region (0: as compiled).
inline constexpr llvm::StringLiteral kThreadBudgetHook = "openopt_thread_budget";
/// The unit attribute openopt-outline-kernels puts on each kernel function.
inline constexpr llvm::StringLiteral kKernelAttr = "openopt.kernel";
/// On a kernel called inside a parallel loop: its code must not start
/// threads of its own.
inline constexpr llvm::StringLiteral kSerialKernelAttr = "openopt.serial";

#define GEN_PASS_DECL
#include "openopt/Codegen/CPU/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "openopt/Codegen/CPU/Passes.h.inc"
} // namespace openopt

#endif
