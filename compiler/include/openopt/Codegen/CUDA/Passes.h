//===- Passes.h - CUDA code generation passes ------------------*- C++ -*-===//
#ifndef OPENOPT_CODEGEN_CUDA_PASSES_H
#define OPENOPT_CODEGEN_CUDA_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "llvm/ADT/StringRef.h"

namespace mlir {
namespace affine { class AffineDialect; }
namespace arith { class ArithDialect; }
namespace func { class FuncDialect; }
namespace gpu { class GPUDialect; }
namespace math { class MathDialect; }
namespace memref { class MemRefDialect; }
namespace nvgpu { class NVGPUDialect; }
namespace vector { class VectorDialect; }
namespace scf { class SCFDialect; }
} // namespace mlir

namespace openopt {
/// The prefix of the runtime functions that give a weight's device copy
/// (`openopt_cuda_constant_f32`, ...; see runtime/src/cuda_model.c).
inline constexpr llvm::StringLiteral kCudaConstantPrefix = "openopt_cuda_constant_";

#define GEN_PASS_DECL
#include "openopt/Codegen/CUDA/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "openopt/Codegen/CUDA/Passes.h.inc"
} // namespace openopt

#endif
