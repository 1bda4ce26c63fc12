//===- LoweringUtils.h - building blocks of the nn lowering ----*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_LOWERINGUTILS_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace openopt::lowering {

using BodyBuilder =
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// tensor.empty of a static type.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);

/// A tensor of `type` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value value);

/// Scalar constant of a float or integer type.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// Map from the result's loops to an operand that broadcasts into it (numpy
/// rules, aligned on the right).
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> operandShape,
                             llvm::ArrayRef<int64_t> resultShape);

/// A parallel linalg.generic: result[i] = body(operand_k[broadcast(i)]...).
mlir::Value elementwise(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType resultType,
                        mlir::ValueRange operands, BodyBuilder body);

/// Same elements, new static shape (collapse to 1-D, expand to the target;
/// both are views after bufferization).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> shape);

/// Reduces `input` over `reduced` axes (reduced axes kept with size 1 when
/// keepDims): acc = combine(acc, x) starting from `init`.
mlir::Value reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                   llvm::ArrayRef<bool> reduced, bool keepDims, double init,
                   BodyBuilder combine);

/// A generic whose loops are the result's; `body` gets the loop indices and
/// computes the element (for gathers: Gather, Resize, Pad, Tile).
mlir::Value indexedGenerate(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   llvm::ArrayRef<mlir::Value>)> body);

/// The lowest float of the type (-inf), the identity of max.
double lowestFloat();

/// Fails with a user-facing error when the op's operands or results are not
/// statically shaped.
mlir::LogicalResult requireStaticShapes(mlir::Operation *op,
                                        mlir::PatternRewriter &rewriter);

} // namespace openopt::lowering

namespace openopt::lowering {
/// C = A x B accumulated into `init`, for 2-D row-major operands.
mlir::Value matmul2D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a,
                     mlir::Value bMat, mlir::Value init);
/// A zero-filled tensor of `type`.
mlir::Value zeroAccumulator(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::RankedTensorType type);
/// [r, c] -> [c, r].
mlir::Value transpose2D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);
} // namespace openopt::lowering

namespace openopt::lowering {
/// tensor.pad with a constant on the given static low/high pads.
mlir::Value padConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                        llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                        double value);

/// padConstant of a channels-last [N, D1, ..., Dk, C] tensor on its spatial
/// axes (`low`/`high`: one pad per spatial axis). Pads the [N, D1, ..., Dk*C]
/// view, whose rows are contiguous, so the copy runs along long rows rather
/// than C values at a time.
mlir::Value padChannelsLast(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                            llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                            double value);
} // namespace openopt::lowering

#endif
