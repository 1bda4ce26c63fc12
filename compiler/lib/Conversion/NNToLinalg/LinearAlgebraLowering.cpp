//===- LinearAlgebraLowering.cpp - MatMul and Gemm to linalg matmuls ------===//
//
// Every product ends as linalg.matmul (2-D) or linalg.batch_matmul (3-D) on
// row-major operands, the two shapes the CPU schedule tiles and vectorizes.
// Leading dims of the left operand fold into M when the right one is a
// plain matrix (the Linear-layer case), so those stay one big matmul.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace openopt::lowering {

/// C = A x B (+ the init accumulator) for 2-D operands. An N that is not a
/// multiple of the vector width is padded with zero columns (sliced off
/// after), so the CPU schedule can vectorize every matmul; padding a constant
/// B costs nothing at run time once folded.
Value matmul2D(OpBuilder &b, Location loc, Value a, Value bMat, Value init) {
  auto initType = cast<RankedTensorType>(init.getType());
  int64_t m = initType.getDimSize(0), n = initType.getDimSize(1);
  if (n % 8 == 0)
    return linalg::MatmulOp::create(b, loc, TypeRange{initType}, ValueRange{a, bMat},
                                    ValueRange{init})
        .getResult(0);
  int64_t padded = (n + 15) / 16 * 16;
  Value bPadded = padConstant(b, loc, bMat, {0, 0}, {0, padded - n}, 0.0);
  Value initPadded = padConstant(b, loc, init, {0, 0}, {0, padded - n}, 0.0);
  Value product = linalg::MatmulOp::create(b, loc, TypeRange{initPadded.getType()},
                                           ValueRange{a, bPadded}, ValueRange{initPadded})
                      .getResult(0);
  SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(m), b.getIndexAttr(n)};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, initType, product, offsets, sizes, strides);
}

/// A zero-initialised accumulator of `type`.
Value zeroAccumulator(OpBuilder &b, Location loc, RankedTensorType type) {
  return filledTensor(b, loc, type, scalarConstant(b, loc, type.getElementType(), 0));
}

Value transpose2D(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  auto outType = RankedTensorType::get({type.getDimSize(1), type.getDimSize(0)},
                                       type.getElementType());
  return linalg::TransposeOp::create(b, loc, v, emptyTensor(b, loc, outType),
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

namespace {

// Broadcasts `v` ([..., r, c]) to batch dims `batch` and collapses them: the
// result is [prod(batch), r, c].
Value toBatch3D(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> batch) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> full(batch);
  full.append({type.getDimSize(type.getRank() - 2), type.getDimSize(type.getRank() - 1)});
  auto fullType = RankedTensorType::get(full, type.getElementType());
  if (type.getShape() != ArrayRef<int64_t>(full))
    v = elementwise(b, loc, fullType, v,
                    [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  int64_t count = 1;
  for (int64_t d : batch)
    count *= d;
  return reshapeTo(b, loc, v, {count, full[full.size() - 2], full.back()});
}

struct LowerMatMul : OpRewritePattern<nn::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MatMulOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    if (!isa<FloatType>(op.getType().getElementType()))
      return op.emitError("MatMul: only float element types are supported"), failure();
    Location loc = op.getLoc();
    Value a = op.getA(), bv = op.getB();
    auto at = cast<RankedTensorType>(a.getType()), bt = cast<RankedTensorType>(bv.getType());
    // numpy promotes 1-D operands to matrices.
    if (at.getRank() == 1)
      a = reshapeTo(rewriter, loc, a, {1, at.getDimSize(0)});
    if (bt.getRank() == 1)
      bv = reshapeTo(rewriter, loc, bv, {bt.getDimSize(0), 1});
    at = cast<RankedTensorType>(a.getType());
    bt = cast<RankedTensorType>(bv.getType());
    int64_t m = at.getDimSize(at.getRank() - 2), k = at.getDimSize(at.getRank() - 1);
    int64_t n = bt.getDimSize(bt.getRank() - 1);
    Type element = at.getElementType();
    Value product;
    if (bt.getRank() == 2) {
      // [..., M, K] x [K, N]: fold the leading dims into M.
      int64_t rows = at.getNumElements() / k;
      Value a2 = reshapeTo(rewriter, loc, a, {rows, k});
      product = matmul2D(rewriter, loc, a2, bv,
                         zeroAccumulator(rewriter, loc, RankedTensorType::get({rows, n}, element)));
    } else {
      auto batch = nn::broadcastShapes(at.getShape().drop_back(2), bt.getShape().drop_back(2));
      if (failed(batch))
        return failure();
      int64_t count = 1;
      for (int64_t d : *batch)
        count *= d;
      Value a3 = toBatch3D(rewriter, loc, a, *batch);
      Value b3 = toBatch3D(rewriter, loc, bv, *batch);
      auto accType = RankedTensorType::get({count, m, n}, element);
      product = linalg::BatchMatmulOp::create(rewriter, loc, TypeRange{accType},
                                              ValueRange{a3, b3},
                                              ValueRange{zeroAccumulator(rewriter, loc, accType)})
                    .getResult(0);
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, product, op.getType().getShape()));
    return success();
  }
};

struct LowerGemm : OpRewritePattern<nn::GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GemmOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    Value a = op.getA(), bv = op.getB();
    if (op.getTransA())
      a = transpose2D(rewriter, loc, a);
    if (op.getTransB())
      bv = transpose2D(rewriter, loc, bv);
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    // With alpha == 1, beta * C is the matmul's initial accumulator: the bias
    // add costs no extra pass.
    Value init;
    if (Value c = op.getC(); c && beta != 0 && alpha == 1.0) {
      init = elementwise(rewriter, loc, type, c, [&](OpBuilder &b, Location l, ValueRange x) -> Value {
        if (beta == 1.0)
          return x[0];
        return arith::MulFOp::create(b, l, x[0], scalarConstant(b, l, element, beta));
      });
    } else {
      init = zeroAccumulator(rewriter, loc, type);
    }
    Value result = matmul2D(rewriter, loc, a, bv, init);
    if (alpha != 1.0) {
      SmallVector<Value> operands = {result};
      Value c = beta != 0 ? op.getC() : Value();
      if (c)
        operands.push_back(c);
      result = elementwise(rewriter, loc, type, operands,
                           [&](OpBuilder &b, Location l, ValueRange x) -> Value {
                             Value y = arith::MulFOp::create(b, l, x[0],
                                                             scalarConstant(b, l, element, alpha));
                             if (x.size() > 1)
                               y = arith::AddFOp::create(
                                   b, l, y,
                                   arith::MulFOp::create(b, l, x[1],
                                                         scalarConstant(b, l, element, beta)));
                             return y;
                           });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateLinearAlgebraPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMatMul, LowerGemm>(patterns.getContext());
}

} // namespace openopt::lowering
