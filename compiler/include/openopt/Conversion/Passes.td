//===- Passes.td - conversions out of the nn dialect ------*- tablegen -*-===//
#ifndef OPENOPT_CONVERSION_PASSES
#define OPENOPT_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertNNToLinalgPass : Pass<"openopt-convert-nn-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower nn ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every nn op into upstream ops on tensors:
    element-wise ops become broadcasting `linalg.generic`s, MatMul/Gemm become
    `linalg.matmul`/`linalg.batch_matmul`, Conv becomes an im2col gather
    followed by a matmul (so the matmul schedule also speeds up convolutions;
    Winograd for 3x3 stride-1 ones, and on small maps a direct convolution
    whose taps are matmuls on views of a channels-last copy),
    pooling and reductions become reduction `linalg.generic`s, and data
    movement becomes `tensor` slices, reshapes and `linalg.transpose`.
    Dynamic dimensions stay dynamic: their sizes are read with `tensor.dim`
    and shapes that depend on input values are computed with `tensor.extract`;
    what only the run can tell (sizes that must match, element counts) is
    checked with `cf.assert` naming the ONNX node. Control flow (If, Loop,
    Scan) becomes `scf`. Unsigned element types become signless at the end.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect",
    "mlir::scf::SCFDialect", "mlir::cf::ControlFlowDialect",
    "mlir::bufferization::BufferizationDialect", "mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"0",
           "SIMD width the lowering plans for, where a route's speed depends on "
           "it (the direct convolution's register tile): 256 or 512, 0 for the "
           "host's">
  ];
}

#endif // OPENOPT_CONVERSION_PASSES
