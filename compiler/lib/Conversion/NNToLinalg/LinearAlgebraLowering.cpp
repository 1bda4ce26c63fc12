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
#include "openopt/Support/MatmulZeroInit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace openopt::lowering {

/// Whether `v` is a constant seen through the layout ops that
/// openopt-fold-constant-layout folds into it (transposes, reshapes, pads).
static bool foldsToConstant(Value v) {
  for (int depth = 0; depth < 8; ++depth) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return false;
    if (matchPattern(def, m_Constant()))
      return true;
    if (!isa<linalg::TransposeOp, tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::PadOp>(def))
      return false;
    v = def->getOperand(0);
  }
  return false;
}

/// Whether `v` is a linalg.fill of the constant 0 (or a reshape of one).
static bool isZeroFill(Value v) {
  while (isa_and_present<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(v.getDefiningOp()))
    v = v.getDefiningOp()->getOperand(0);
  auto fill = v.getDefiningOp<linalg::FillOp>();
  return fill && (matchPattern(fill.getInputs()[0], m_PosZeroFloat()) ||
                  matchPattern(fill.getInputs()[0], m_Zero()));
}

/// C = A x B (+ the init accumulator) for 2-D operands. An N that is not a
/// multiple of the vector width is padded with zero columns (sliced off
/// after), so the CPU schedule can vectorize every matmul; padding a constant
/// B costs nothing at run time once folded. An N not a multiple of 8 is
/// padded to a multiple of 16 (one AVX-512 vector), and to a multiple of 32
/// (two) when the register tile gains more than the columns cost (a
/// multiple of 48, three vectors, stays as it is); a single
/// row (a GEMV such as a classifier) is padded to a
/// multiple of 128 when that wastes at most 1/8, so that its schedule gets 8
/// independent accumulators instead of one latency-bound chain.
Value matmul2D(OpBuilder &b, Location loc, Value a, Value bMat, Value init) {
  auto initType = cast<RankedTensorType>(init.getType());
  int64_t m = initType.getDimSize(0), n = initType.getDimSize(1);
  int64_t padded = ShapedType::isDynamic(n) || n % 8 == 0 ? n : (n + 15) / 16 * 16;
  // The register tile follows N (registerTile in Codegen/CPU): a multiple
  // of 48 or 32 gets three or two AVX-512 vectors a row and 24 or 16
  // accumulators; a multiple of 16, one vector and 8, at about half the FMA
  // rate; a multiple of 8, one 8-lane vector, a quarter. The width with the
  // most useful work per FMA wins (N = 24 becomes 32, 40 becomes 48, 784
  // becomes 800; 16 and 48 stay). A single row has its own rule below: its
  // B is the large operand, and a B computed at run time would be copied.
  auto fullRate = [](int64_t width) { return width % 32 == 0 || width % 48 == 0; };
  if (!ShapedType::isDynamic(n) && !fullRate(padded) && m != 1) {
    auto usefulPerFma = [&](int64_t width) {
      double rate = fullRate(width) ? 1.0 : width % 16 == 0 ? 0.5 : 0.25;
      return rate * double(n) / double(width);
    };
    for (int64_t wide : {(n + 31) / 32 * 32, (n + 47) / 48 * 48})
      if (usefulPerFma(wide) > usefulPerFma(padded))
        padded = wide;
  }
  if (m == 1 && !ShapedType::isDynamic(n) && n >= 128 && foldsToConstant(bMat)) {
    int64_t wide = (n + 127) / 128 * 128;
    if ((wide - n) * 8 <= n)
      padded = wide;
  }
  // Rows: a count that is not a multiple of 4 (7x7 = 49 pixels, 197
  // tokens) would get a register tile of one or two rows, several times
  // slower than the zero rows added here to reach a multiple of 8. From 128
  // rows, a count that is not a multiple of 16 (14x14 = 196 pixels) gets
  // zero rows up to one (at most 1/8 more): its tile has 8 rows, not 4, and
  // two threads split M, not N into slices as narrow as 48.
  int64_t rowMultiple = !ShapedType::isDynamic(m) && m >= 128 && m % 16 != 0 ? 16 : 8;
  if (int64_t rows = (m + rowMultiple - 1) / rowMultiple * rowMultiple;
      !ShapedType::isDynamic(m) && !ShapedType::isDynamic(n) && m >= 8 &&
      (m % 4 != 0 || rowMultiple == 16) && isa<FloatType>(initType.getElementType())) {
    Value aPadded = padConstant(b, loc, a, {0, 0}, {rows - m, 0}, 0.0);
    // A zero init stays a zero fill, for the zero-init mark.
    Value initPadded =
        isZeroFill(init)
            ? zeroAccumulator(b, loc, RankedTensorType::get({rows, n}, initType.getElementType()))
            : padConstant(b, loc, init, {0, 0}, {rows - m, 0}, 0.0);
    Value product = matmul2D(b, loc, aPadded, bMat, initPadded);
    SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(m), sizesOf(b, loc, init)[1]};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(b, loc, initType, product, offsets, sizes, strides);
  }
  // A zero initial accumulator need not be read (MatmulZeroInit.h).
  bool zeroInit = isZeroFill(init);
  auto create = [&](Type type, Value rhs, Value acc) {
    auto op = linalg::MatmulOp::create(b, loc, TypeRange{type}, ValueRange{a, rhs}, ValueRange{acc});
    if (zeroInit)
      op->setAttr(kZeroInitAttr, b.getUnitAttr());
    return op.getResult(0);
  };
  if (ShapedType::isDynamic(n) || padded == n || !isa<FloatType>(initType.getElementType()))
    return create(initType, bMat, init);
  Value bPadded = padConstant(b, loc, bMat, {0, 0}, {0, padded - n}, 0.0);
  Value initPadded = padConstant(b, loc, init, {0, 0}, {0, padded - n}, 0.0);
  Value product = create(initPadded.getType(), bPadded, initPadded);
  SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = {sizesOf(b, loc, init)[0], b.getIndexAttr(n)};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, initType, product, offsets, sizes, strides);
}

/// A zero-initialised accumulator of `type`.
Value zeroAccumulator(OpBuilder &b, Location loc, RankedTensorType type) {
  return filledTensor(b, loc, type, scalarConstant(b, loc, type.getElementType(), 0));
}

Value zeroAccumulator(OpBuilder &b, Location loc, RankedTensorType type,
                      ArrayRef<OpFoldResult> sizes) {
  return filledTensor(b, loc, type, sizes, scalarConstant(b, loc, type.getElementType(), 0));
}

Value transpose2D(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  auto outType = RankedTensorType::get({type.getDimSize(1), type.getDimSize(0)},
                                       type.getElementType());
  Sizes in = sizesOf(b, loc, v);
  return linalg::TransposeOp::create(b, loc, v, emptyTensor(b, loc, outType, {in[1], in[0]}),
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

namespace {

// Broadcasts `v` ([..., r, c]) to batch dims `batch` (sizes `batchSizes`)
// and collapses them: the result is [prod(batch), r, c].
Value toBatch3D(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> batch,
                ArrayRef<OpFoldResult> batchSizes) {
  auto type = cast<RankedTensorType>(v.getType());
  Sizes vSizes = sizesOf(b, loc, v);
  SmallVector<int64_t> full(batch);
  full.append({type.getDimSize(type.getRank() - 2), type.getDimSize(type.getRank() - 1)});
  Sizes fullSizes(batchSizes);
  fullSizes.append({vSizes[type.getRank() - 2], vSizes[type.getRank() - 1]});
  auto fullType = RankedTensorType::get(full, type.getElementType());
  if (type.getShape() != ArrayRef<int64_t>(full) || type.getRank() != (int64_t)full.size()) {
    SmallVector<AffineMap> maps = {
        broadcastMap(b.getContext(), type.getShape(), full),
        b.getMultiDimIdentityMap(full.size())};
    v = linalg::GenericOp::create(
            b, loc, fullType, v, emptyTensor(b, loc, fullType, fullSizes), maps,
            SmallVector<utils::IteratorType>(full.size(), utils::IteratorType::parallel),
            [](OpBuilder &nb, Location l, ValueRange a) { linalg::YieldOp::create(nb, l, a[0]); })
            .getResult(0);
  }
  SmallVector<ReassociationIndices> groups(3);
  for (int64_t i = 0; i < (int64_t)batch.size(); ++i)
    groups[0].push_back(i);
  if (batch.empty()) {
    SmallVector<int64_t> shape3 = {1, full[0], full[1]};
    return insertUnitAxes(b, loc, v, {0});
  }
  groups[1] = {(int64_t)batch.size()};
  groups[2] = {(int64_t)batch.size() + 1};
  return tensor::CollapseShapeOp::create(b, loc, v, groups);
}

// Sizes of the broadcast batch dims of two operands ([..., r, c] each).
Sizes batchSizesOf(OpBuilder &b, Location loc, ArrayRef<int64_t> batch, Value x, Value y) {
  Sizes sizes;
  for (int64_t i = 0; i < (int64_t)batch.size(); ++i) {
    if (!ShapedType::isDynamic(batch[i])) {
      sizes.push_back(b.getIndexAttr(batch[i]));
      continue;
    }
    Value chosen;
    for (Value v : {x, y}) {
      auto type = cast<RankedTensorType>(v.getType());
      int64_t d = i - ((int64_t)batch.size() - (type.getRank() - 2));
      if (d < 0 || !type.isDynamicDim(d))
        continue;
      Value size = tensor::DimOp::create(b, loc, v, d);
      if (chosen)
        runtimeCheck(b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, chosen),
                     "the batch dimensions of the operands differ at run time");
      else
        chosen = size;
    }
    sizes.push_back(chosen ? OpFoldResult(chosen) : OpFoldResult(b.getIndexAttr(1)));
  }
  return sizes;
}

struct LowerMatMul : OpRewritePattern<nn::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MatMulOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = op.getA(), bv = op.getB();
    auto at = cast<RankedTensorType>(a.getType()), bt = cast<RankedTensorType>(bv.getType());
    // numpy promotes 1-D operands to matrices.
    if (at.getRank() == 1)
      a = insertUnitAxes(rewriter, loc, a, {0});
    if (bt.getRank() == 1)
      bv = insertUnitAxes(rewriter, loc, bv, {1});
    at = cast<RankedTensorType>(a.getType());
    bt = cast<RankedTensorType>(bv.getType());
    int64_t k = at.getDimSize(at.getRank() - 1);
    Type element = at.getElementType();
    Sizes aSizes = sizesOf(rewriter, loc, a), bSizes = sizesOf(rewriter, loc, bv);
    if (k != bt.getDimSize(bt.getRank() - 2) || ShapedType::isDynamic(k))
      runtimeCheck(rewriter, loc,
                   arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                         indexValue(rewriter, loc, aSizes.back()),
                                         indexValue(rewriter, loc, bSizes[bt.getRank() - 2])),
                   "the inner dimensions of the operands differ at run time");
    Value product;
    SmallVector<int64_t> productShape;
    Sizes productSizes;
    if (bt.getRank() == 2) {
      // [..., M, K] x [K, N]: fold the leading dims into M.
      Value a2 = a;
      if (at.getRank() > 2) {
        SmallVector<ReassociationIndices> groups(2);
        for (int64_t i = 0; i < at.getRank() - 1; ++i)
          groups[0].push_back(i);
        groups[1] = {at.getRank() - 1};
        a2 = tensor::CollapseShapeOp::create(rewriter, loc, a, groups);
      }
      auto a2Type = cast<RankedTensorType>(a2.getType());
      auto accType = RankedTensorType::get({a2Type.getDimSize(0), bt.getDimSize(1)}, element);
      Sizes accSizes = {sizesOf(rewriter, loc, a2)[0], bSizes[1]};
      product = matmul2D(rewriter, loc, a2, bv, zeroAccumulator(rewriter, loc, accType, accSizes));
      productShape.append(at.getShape().drop_back().begin(), at.getShape().drop_back().end());
      productShape.push_back(bt.getDimSize(1));
      productSizes.append(aSizes.begin(), aSizes.end() - 1);
      productSizes.push_back(bSizes[1]);
      if (at.getRank() > 2) {
        SmallVector<ReassociationIndices> groups(2);
        for (int64_t i = 0; i < at.getRank() - 1; ++i)
          groups[0].push_back(i);
        groups[1] = {at.getRank() - 1};
        product = tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get(productShape, element), product, groups,
            productSizes);
      }
    } else {
      auto batch = nn::broadcastShapes(at.getShape().drop_back(2), bt.getShape().drop_back(2));
      if (failed(batch))
        return failure();
      Sizes batchSizes = batchSizesOf(rewriter, loc, *batch, a, bv);
      Value a3 = toBatch3D(rewriter, loc, a, *batch, batchSizes);
      Value b3 = toBatch3D(rewriter, loc, bv, *batch, batchSizes);
      auto a3Type = cast<RankedTensorType>(a3.getType());
      auto accType = RankedTensorType::get(
          {a3Type.getDimSize(0), at.getDimSize(at.getRank() - 2), bt.getDimSize(bt.getRank() - 1)},
          element);
      Sizes accSizes = {sizesOf(rewriter, loc, a3)[0], aSizes[at.getRank() - 2],
                        bSizes[bt.getRank() - 1]};
      auto batched = linalg::BatchMatmulOp::create(
          rewriter, loc, TypeRange{accType}, ValueRange{a3, b3},
          ValueRange{zeroAccumulator(rewriter, loc, accType, accSizes)});
      batched->setAttr(kZeroInitAttr, rewriter.getUnitAttr());
      product = batched.getResult(0);
      productShape.append(batch->begin(), batch->end());
      productShape.append({at.getDimSize(at.getRank() - 2), bt.getDimSize(bt.getRank() - 1)});
      productSizes.append(batchSizes.begin(), batchSizes.end());
      productSizes.append({accSizes[1], accSizes[2]});
      SmallVector<ReassociationIndices> groups(3);
      for (int64_t i = 0; i < (int64_t)batch->size(); ++i)
        groups[0].push_back(i);
      if (batch->empty()) {
        product = dropUnitAxes(rewriter, loc, product, {0});
      } else {
        groups[1] = {(int64_t)batch->size()};
        groups[2] = {(int64_t)batch->size() + 1};
        product = tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get(productShape, element), product, groups,
            productSizes);
      }
    }
    // Drop the axes the 1-D promotion added.
    SmallVector<int64_t> promoted;
    int64_t rank = productShape.size();
    if (op.getA().getType().getRank() == 1)
      promoted.push_back(rank - 2);
    if (op.getB().getType().getRank() == 1)
      promoted.push_back(rank - 1);
    product = dropUnitAxes(rewriter, loc, product, promoted);
    if (product.getType() != op.getType())
      product = tensor::CastOp::create(rewriter, loc, op.getType(), product);
    rewriter.replaceOp(op, product);
    return success();
  }
};

struct LowerGemm : OpRewritePattern<nn::GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GemmOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value a = op.getA(), bv = op.getB();
    if (op.getTransA())
      a = transpose2D(rewriter, loc, a);
    if (op.getTransB())
      bv = transpose2D(rewriter, loc, bv);
    RankedTensorType type = op.getType();
    Type element = type.getElementType();
    Sizes sizes = {sizesOf(rewriter, loc, a)[0], sizesOf(rewriter, loc, bv)[1]};
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    // beta * C. With static shapes and more than one row the matmul starts
    // from zero without reading its output (MatmulZeroInit.h) and beta * C
    // is added after, where it fuses with what follows; so it is whenever
    // alpha != 1. Otherwise (a GEMV reads its few outputs cheaply; dynamic
    // shapes are not scheduled) it is the matmul's initial accumulator.
    Value c = beta != 0 ? op.getC() : Value();
    bool cInit = c && alpha == 1.0 &&
                 !(type.hasStaticShape() && type.getDimSize(0) > 1 && isa<FloatType>(element));
    auto scaledC = [&](OpBuilder &b, Location l, Value x) -> Value {
      if (beta == 1.0)
        return x;
      return arith::MulFOp::create(b, l, x, scalarConstant(b, l, element, beta));
    };
    Value init;
    if (!cInit) {
      init = zeroAccumulator(rewriter, loc, type, sizes);
    } else {
      auto cType = cast<RankedTensorType>(c.getType());
      SmallVector<AffineMap> maps = {broadcastMap(rewriter.getContext(), cType.getShape(),
                                                  type.getShape()),
                                     rewriter.getMultiDimIdentityMap(2)};
      init = linalg::GenericOp::create(
                 rewriter, loc, type, c, emptyTensor(rewriter, loc, type, sizes), maps,
                 SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
                 [&](OpBuilder &nb, Location l, ValueRange x) {
                   linalg::YieldOp::create(nb, l, scaledC(nb, l, x[0]));
                 })
                 .getResult(0);
    }
    Value result = matmul2D(rewriter, loc, a, bv, init);
    if (alpha != 1.0)
      result = elementwise(rewriter, loc, type, result,
                           [&](OpBuilder &b, Location l, ValueRange x) -> Value {
                             return arith::MulFOp::create(
                                 b, l, x[0], scalarConstant(b, l, element, alpha));
                           });
    if (c && !cInit)
      result = elementwise(rewriter, loc, type, {result, c},
                           [&](OpBuilder &b, Location l, ValueRange x) -> Value {
                             return arith::AddFOp::create(b, l, x[0], scaledC(b, l, x[1]));
                           });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateLinearAlgebraPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerMatMul, LowerGemm>(patterns.getContext());
}

} // namespace openopt::lowering
