//===- Passes.h - conversions out of the nn dialect ------------*- C++ -*-===//
#ifndef OPENOPT_CONVERSION_PASSES_H
#define OPENOPT_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace arith { class ArithDialect; }
namespace cf { class ControlFlowDialect; }
namespace scf { class SCFDialect; }
namespace linalg { class LinalgDialect; }
namespace math { class MathDialect; }
namespace tensor { class TensorDialect; }
} // namespace mlir

namespace openopt {
#define GEN_PASS_DECL
#include "openopt/Conversion/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "openopt/Conversion/Passes.h.inc"
} // namespace openopt

#endif // OPENOPT_CONVERSION_PASSES_H
