//===- Passes.h - CPU code generation passes -------------------*- C++ -*-===//
#ifndef OPENOPT_CODEGEN_CPU_PASSES_H
#define OPENOPT_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace arith { class ArithDialect; }
namespace linalg { class LinalgDialect; }
namespace math { class MathDialect; }
namespace memref { class MemRefDialect; }
namespace scf { class SCFDialect; }
namespace transform { class TransformDialect; }
namespace vector { class VectorDialect; }
namespace x86vector { class X86VectorDialect; }
} // namespace mlir

namespace openopt {
#define GEN_PASS_DECL
#include "openopt/Codegen/CPU/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "openopt/Codegen/CPU/Passes.h.inc"
} // namespace openopt

#endif
