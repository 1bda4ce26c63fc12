//===- ConvertNNToLinalg.cpp - the openopt-convert-nn-to-linalg pass ------===//
#include "openopt/Conversion/Passes.h"

#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Support/VectorBits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace openopt {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "openopt/Conversion/Passes.h.inc"

namespace {
struct ConvertNNToLinalgPass
    : impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    mlir::MLIRContext *ctx = &getContext();
    mlir::RewritePatternSet patterns(ctx);
    lowering::populateElementwisePatterns(patterns);
    lowering::populateLinearAlgebraPatterns(patterns);
    lowering::populateConvolutionPatterns(patterns, resolveVectorBits(vectorBits));
    lowering::populateNormalizationPatterns(patterns);
    lowering::populateDataMovementPatterns(patterns);
    lowering::populateReductionPatterns(patterns);
    lowering::populateIndexingPatterns(patterns);
    lowering::populateNetworkPatterns(patterns);
    lowering::populateControlFlowPatterns(patterns);
    lowering::populateRecurrentPatterns(patterns);
    lowering::populateSignalPatterns(patterns);

    mlir::ConversionTarget target(*ctx);
    target.addIllegalDialect<nn::NNDialect>();
    // Groups stay until their bodies are lowered, then dissolve.
    target.addLegalOp<nn::FusedOp, nn::YieldOp>();
    target.addLegalDialect<mlir::arith::ArithDialect, mlir::linalg::LinalgDialect,
                           mlir::math::MathDialect, mlir::tensor::TensorDialect,
                           mlir::scf::SCFDialect, mlir::cf::ControlFlowDialect,
                           mlir::bufferization::BufferizationDialect,
                           mlir::vector::VectorDialect>();
    if (failed(mlir::applyPartialConversion(getOperation(), target, std::move(patterns))) ||
        failed(lowering::dissolveFusionGroups(getOperation())))
      return signalPassFailure();
    lowering::convertToSignless(getOperation());
  }
};
} // namespace
} // namespace openopt
