//===- Patterns.h - the nn-to-linalg pattern sets, by family ---*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_PATTERNS_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace openopt::lowering {
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
void populateLinearAlgebraPatterns(mlir::RewritePatternSet &patterns);
/// `vectorBits`: the SIMD width of the code the convolutions become.
void populateConvolutionPatterns(mlir::RewritePatternSet &patterns, int64_t vectorBits);
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(mlir::RewritePatternSet &patterns);
void populateReductionPatterns(mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(mlir::RewritePatternSet &patterns);
void populateNetworkPatterns(mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(mlir::RewritePatternSet &patterns);
void populateControlFlowPatterns(mlir::RewritePatternSet &patterns);
void populateSignalPatterns(mlir::RewritePatternSet &patterns);

/// Fuses the lowered element-wise loops inside each nn.fused group, then
/// inlines the group into its parent block.
mlir::LogicalResult dissolveFusionGroups(mlir::func::FuncOp func);

/// Rewrites every unsigned integer type and constant in `func` (its
/// signature included) to the signless type of the same width.
void convertToSignless(mlir::func::FuncOp func);
} // namespace openopt::lowering

#endif
