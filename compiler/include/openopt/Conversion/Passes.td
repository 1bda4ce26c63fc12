//===- Passes.td - conversions out of the nn dialect ------*- tablegen -*-===//
#ifndef OPENOPT_CONVERSION_PASSES
#define OPENOPT_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalgPass : Pass<"openopt-convert-nn-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower nn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every nn op into upstream ops on static-shaped tensors:
    element-wise ops become broadcasting `linalg.generic`s, MatMul/Gemm become
    `linalg.matmul`/`linalg.batch_matmul`, Conv becomes an im2col gather
    followed by a matmul (so the matmul schedule also speeds up convolutions),
    pooling and reductions become reduction `linalg.generic`s, and data
    movement becomes `tensor` slices, reshapes and `linalg.transpose`.
    Dynamic dimensions must be specialised first (`openopt run` does this
    from the given inputs); an op left with a dynamic shape is an error.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

#endif // OPENOPT_CONVERSION_PASSES
