//===- Passes.td - graph passes on the nn dialect ---------*- tablegen -*-===//
#ifndef OPENOPT_TRANSFORMS_PASSES
#define OPENOPT_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def InferShapesPass : Pass<"openopt-infer-shapes", "mlir::func::FuncOp"> {
  let summary = "Refine result types from the operands' shapes";
  let description = [{
    Re-runs shape inference on every op in program order and replaces each
    result type by the inferred one, so dynamic dimensions (`?`) that the
    operands now determine become static, and the function's result types
    follow. Run it after editing IR or after giving a function's arguments
    concrete shapes (what `openopt run` does from its inputs). An op whose
    operands no longer fit is reported with its inference error.
  }];
}

#endif // OPENOPT_TRANSFORMS_PASSES
