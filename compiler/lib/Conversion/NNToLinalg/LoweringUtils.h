//===- LoweringUtils.h - building blocks of the nn lowering ----*- C++ -*-===//
#ifndef OPENOPT_LIB_CONVERSION_NNTOLINALG_LOWERINGUTILS_H
#define OPENOPT_LIB_CONVERSION_NNTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace openopt::lowering {

using BodyBuilder =
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

using Sizes = llvm::SmallVector<mlir::OpFoldResult>;

/// "Reshape 'node_7'": the ONNX op and node name the importer put into an
/// op's location, for run-time error messages; `fallback` when absent.
std::string describeLocation(mlir::Location loc, llvm::StringRef fallback = "op");

/// The sizes of a ranked tensor: attributes for static dims, tensor.dim
/// values for dynamic ones.
Sizes sizesOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

/// An OpFoldResult as an index value.
mlir::Value indexValue(mlir::OpBuilder &b, mlir::Location loc, mlir::OpFoldResult v);
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// A run-time check: when `condition` (i1) is false, running the model fails
/// with "<op 'node'>: <message>" (cf.assert, see openopt-lower-runtime-checks).
void runtimeCheck(mlir::OpBuilder &b, mlir::Location loc, mlir::Value condition,
                  const llvm::Twine &message);

/// tensor.empty of a static type.
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type);
/// tensor.empty of `type`; its dynamic dims take their sizes from `sizes`
/// (one entry per dim; static dims ignore theirs).
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// A tensor of `type` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value value);
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, llvm::ArrayRef<mlir::OpFoldResult> sizes,
                         mlir::Value value);

/// The sizes of the numpy broadcast of `operands` into `resultType`. A
/// dynamic result dim takes the size of the first operand whose dim there is
/// dynamic; the others must equal it at run time (a dynamic dim never
/// broadcasts), which is checked.
Sizes broadcastSizes(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
                     mlir::ValueRange operands);

/// Scalar constant of a float or integer type.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// Map from the result's loops to an operand that broadcasts into it (numpy
/// rules, aligned on the right).
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> operandShape,
                             llvm::ArrayRef<int64_t> resultShape);

/// A parallel linalg.generic: result[i] = body(operand_k[broadcast(i)]...).
/// Dynamic dims follow broadcastSizes.
mlir::Value elementwise(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType resultType,
                        mlir::ValueRange operands, BodyBuilder body);

/// Same elements, new static shape (collapse to 1-D, expand to the target;
/// both are views after bufferization).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> shape);
/// Same elements, shape `sizes` (of `type`): reshapeTo when both shapes are
/// static, else tensor.reshape after a run-time check of the element count.
mlir::Value reshapeToSizes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                           mlir::RankedTensorType type, llvm::ArrayRef<mlir::OpFoldResult> sizes);
/// Inserts size-1 axes at the (sorted, result) positions `axes`.
mlir::Value insertUnitAxes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                           llvm::ArrayRef<int64_t> axes);
/// Removes the size-1 axes at the sorted positions `axes`.
mlir::Value dropUnitAxes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                         llvm::ArrayRef<int64_t> axes);
/// The product of some sizes, as an index value.
mlir::Value productOf(mlir::OpBuilder &b, mlir::Location loc,
                      llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// Reduces `input` over `reduced` axes (reduced axes kept with size 1 when
/// keepDims): acc = combine(acc, x) starting from `init`.
mlir::Value reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                   llvm::ArrayRef<bool> reduced, bool keepDims, double init,
                   BodyBuilder combine);
mlir::Value reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                   llvm::ArrayRef<bool> reduced, bool keepDims, mlir::Value init,
                   BodyBuilder combine);

/// The smallest (`lowest`) or largest value of a float (+-inf) or integer
/// type, signed or unsigned: the identity of max or min.
mlir::Value extremeConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                            bool lowest);

/// A generic whose loops are the result's; `body` gets the loop indices and
/// computes the element (for gathers: Gather, Resize, Pad, Tile).
mlir::Value indexedGenerate(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   llvm::ArrayRef<mlir::Value>)> body);
/// The same for a result with dynamic dims of sizes `sizes`.
mlir::Value indexedGenerate(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    llvm::ArrayRef<mlir::OpFoldResult> sizes,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   llvm::ArrayRef<mlir::Value>)> body);

/// For ops whose only dynamic dimension is the leading (batch) one of operand
/// 0 and result 0, with every other operand static: runs the op once per
/// sample in an scf.for, as a clone on a static [1, ...] slice that the
/// static lowering then handles. Failure (nothing built) when that does not
/// apply.
mlir::FailureOr<mlir::Value> lowerPerSample(mlir::Operation *op, mlir::PatternRewriter &rewriter);

/// x / count, element-wise (means).
mlir::Value divideBy(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, double count);
/// x / (the number of elements of `input` the mask covers), known at
/// compile time or read at run time.
mlir::Value divideByCount(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                          mlir::Value input, llvm::ArrayRef<bool> mask);
/// The reduced-axes mask for `axes` (all axes when empty).
llvm::SmallVector<bool> axesMask(int64_t rank, llvm::ArrayRef<int64_t> axes);
/// The product of the dims the mask covers (static shapes).
int64_t reducedCount(mlir::RankedTensorType type, llvm::ArrayRef<bool> mask);

using LoopBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange ivs, mlir::ValueRange args)>;
/// A nest of scf.for loops from 0 to each upper bound (none: the body runs
/// once), carrying `init`; returns the final values.
llvm::SmallVector<mlir::Value> loopNest(mlir::OpBuilder &b, mlir::Location loc,
                                        llvm::ArrayRef<mlir::Value> upperBounds,
                                        mlir::ValueRange init, LoopBody body);
/// One scf.for from `lb` to `ub` (by `step`, or 1).
llvm::SmallVector<mlir::Value> forLoop(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lb,
                                       mlir::Value ub, mlir::ValueRange init, LoopBody body);
llvm::SmallVector<mlir::Value> forLoop(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lb,
                                       mlir::Value ub, mlir::Value step, mlir::ValueRange init,
                                       LoopBody body);
/// Element `i` of a 1-D (or one-element) integer tensor as an index.
mlir::Value extractIndexAt(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor, int64_t i);
/// The single element of a scalar or one-element tensor.
mlir::Value extractScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

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
mlir::Value zeroAccumulator(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::RankedTensorType type,
                            llvm::ArrayRef<mlir::OpFoldResult> sizes);
/// [r, c] -> [c, r].
mlir::Value transpose2D(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);
} // namespace openopt::lowering

namespace openopt::lowering {
/// tensor.pad with a constant on the given static low/high pads.
mlir::Value padConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                        llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                        double value);

/// Channels from which padChannelsLast pads a tensor as it is.
constexpr int64_t kChannelsPaddedInPlace = 16;

/// padConstant of a channels-last [N, D1, ..., Dk, C] tensor on its spatial
/// axes (`low`/`high`: one pad per spatial axis). With at least
/// kChannelsPaddedInPlace channels, the tensor itself is padded, so that its
/// producer can write into the padded buffer; with fewer (an RGB image),
/// the [N, D1, ..., Dk*C] view, whose rows are contiguous, so that the copy
/// runs along long rows rather than C values at a time.
mlir::Value padChannelsLast(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                            llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                            double value);

/// Index v + k, with no op when k is 0.
mlir::Value plusConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, int64_t k);

/// Index v * stride + offset, with no op for a unit stride or a zero offset.
mlir::Value scaledIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, int64_t stride,
                        int64_t offset);

/// A `resultType` tensor computed as a parallel loop over chunks of
/// `rowsPerChunk` rows along axis `rowAxis`: `chunk(b, loc, firstRow)`
/// builds one chunk (the result's shape with `rowsPerChunk` rows on that
/// axis), which the loop inserts at `firstRow`. The loop's result is the
/// tensor itself, so an element-wise consumer can fuse into it.
mlir::Value forEachRowChunk(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType, int64_t rowAxis,
    int64_t rowsPerChunk,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value firstRow)> chunk);

/// The four polyphase planes of the padded input [N, C, H, W] (padTop rows
/// above, padLeft columns to the left, as many as needed past the bottom and
/// right edges, all `padValue`): result[n][c][2 * py + px][i][j] =
/// padded[n][c][2i + py][2j + px], i < planeH, j < planeW, in one pass.
/// Stride-2 reads of the padded input become unit-stride reads of a plane.
mlir::Value polyphasePlanes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                            int64_t padTop, int64_t padLeft, int64_t planeH, int64_t planeW,
                            double padValue = 0.0);

/// Rows [firstRow, firstRow + count) of polyphasePlanes(input, padTop,
/// padLeft, ..., planeW, padValue), with a first row known only at run time
/// (a parallel loop's chunk): [N, C, 4, count, planeW]. Per image, channel
/// and plane row, the input row (clamped; the padding where it falls
/// outside, a select of whole vectors) is read 32 values at a time (masked
/// past its end) and split into its even and odd columns, each written
/// whole to its plane (masked past planeW). As a linalg generic with one
/// element per iteration, the copy took a tenth of a 56x56 Winograd
/// convolution.
mlir::Value polyphasePlaneRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                               mlir::Value firstRow, int64_t count, int64_t padTop,
                               int64_t padLeft, int64_t planeW, double padValue = 0.0);
/// `source` with its axes permuted: result[i...] = source[i[perm[0]], ...],
/// i.e. result axis d is source axis perm[d]; plus bias[result axis
/// `biasAxis`] when `bias` is given. One linalg.generic.
mlir::Value permuted(mlir::OpBuilder &b, mlir::Location loc, mlir::Value source,
                     llvm::ArrayRef<int64_t> perm, mlir::Value bias = {}, int64_t biasAxis = 0);

} // namespace openopt::lowering

#endif
