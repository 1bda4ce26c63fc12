//===- DataMovementLowering.cpp - reshapes, slices, gathers, resize -------===//
#include "LoweringUtils.h"
#include "ResizeTables.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); });
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}
Value select(OpBuilder &b, Location loc, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, loc, c, x, y);
}
Value addIdx(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::AddIOp>(loc, x, y);
}
Value subIdx(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::SubIOp>(loc, x, y);
}
Value mulIdx(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::MulIOp>(loc, x, y);
}
Value clampIdx(OpBuilder &b, Location loc, Value x, Value lo, Value hi) {
  return arith::MaxSIOp::create(b, loc, arith::MinSIOp::create(b, loc, x, hi), lo);
}

// Element `i` of a 1-D integer tensor as an index.
Value extractIndex(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  Value v = tensor::ExtractOp::create(b, loc, tensor, ValueRange{indexConstant(b, loc, i)});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

// The result sizes of a Reshape: 0 copies the input dim (unless allowzero),
// -1 takes what is left of the element count.
Sizes reshapeSizes(OpBuilder &b, Location loc, nn::ReshapeOp op) {
  auto type = op.getType();
  Sizes in = sizesOf(b, loc, op.getData());
  int64_t rank = type.getRank();
  auto constant = nn::getConstantInts(op.getShape());
  Sizes out;
  Value inferIndex;
  Value known = indexConstant(b, loc, 1);
  SmallVector<Value> requested;
  for (int64_t i = 0; i < rank; ++i) {
    if (!type.isDynamicDim(i)) {
      out.push_back(b.getIndexAttr(type.getDimSize(i)));
      requested.push_back(indexConstant(b, loc, type.getDimSize(i)));
      continue;
    }
    Value r = constant ? indexConstant(b, loc, (*constant)[i]) : extractIndex(b, loc, op.getShape(), i);
    if (!op.getAllowzero() && i < (int64_t)in.size())
      r = select(b, loc, cmp(b, loc, arith::CmpIPredicate::eq, r, indexConstant(b, loc, 0)),
                 indexValue(b, loc, in[i]), r);
    requested.push_back(r);
    out.push_back(r);
  }
  // -1: the element count over the product of the others.
  Value total = productOf(b, loc, in);
  for (Value r : requested) {
    Value isInfer = cmp(b, loc, arith::CmpIPredicate::eq, r, indexConstant(b, loc, -1));
    known = mulIdx(b, loc, known, select(b, loc, isInfer, indexConstant(b, loc, 1), r));
  }
  Value zeroKnown = cmp(b, loc, arith::CmpIPredicate::eq, known, indexConstant(b, loc, 0));
  Value inferred = arith::DivSIOp::create(
      b, loc, total, select(b, loc, zeroKnown, indexConstant(b, loc, 1), known));
  for (int64_t i = 0; i < rank; ++i) {
    if (!type.isDynamicDim(i))
      continue;
    Value r = requested[i];
    Value isInfer = cmp(b, loc, arith::CmpIPredicate::eq, r, indexConstant(b, loc, -1));
    Value size = select(b, loc, isInfer, inferred, r);
    runtimeCheck(b, loc,
                 cmp(b, loc, arith::CmpIPredicate::sge, size, indexConstant(b, loc, 0)),
                 "the requested shape has a negative size at run time");
    out[i] = size;
  }
  return out;
}

struct LowerReshape : OpRewritePattern<nn::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ReshapeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    if (op.getType().hasStaticShape() && op.getData().getType().hasStaticShape()) {
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, op.getData(), op.getType().getShape()));
      return success();
    }
    rewriter.replaceOp(op, reshapeToSizes(rewriter, loc, op.getData(), op.getType(),
                                          reshapeSizes(rewriter, loc, op)));
    return success();
  }
};

struct LowerFlatten : OpRewritePattern<nn::FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::FlattenOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = typeOf(op.getInput());
    if (op.getType().hasStaticShape() && inType.hasStaticShape()) {
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, op.getInput(), op.getType().getShape()));
      return success();
    }
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + inType.getRank() : op.getAxis();
    Sizes in = sizesOf(rewriter, loc, op.getInput());
    Sizes out = {productOf(rewriter, loc, ArrayRef(in).take_front(axis)),
                 productOf(rewriter, loc, ArrayRef(in).drop_front(axis))};
    rewriter.replaceOp(op, reshapeToSizes(rewriter, loc, op.getInput(), op.getType(), out));
    return success();
  }
};

SmallVector<int64_t> normalizedAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t a : axes)
    result.push_back(*nn::normalizeAxis(a, rank));
  llvm::sort(result);
  return result;
}

struct LowerSqueeze : OpRewritePattern<nn::SqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SqueezeOp op, PatternRewriter &rewriter) const override {
    if (op.getDynamicAxes())
      return failure();
    Location loc = op.getLoc();
    auto inType = typeOf(op.getInput());
    SmallVector<int64_t> axes;
    if (op.getAxes().empty()) {
      for (int64_t i = 0; i < inType.getRank(); ++i)
        if (inType.getDimSize(i) == 1)
          axes.push_back(i);
    } else {
      axes = normalizedAxes(op.getAxes(), inType.getRank());
    }
    for (int64_t a : axes)
      if (inType.isDynamicDim(a))
        runtimeCheck(rewriter, loc,
                     cmp(rewriter, loc, arith::CmpIPredicate::eq,
                         tensor::DimOp::create(rewriter, loc, op.getInput(), a),
                         indexConstant(rewriter, loc, 1)),
                     "axis " + llvm::Twine(a) + " does not have size 1 at run time");
    Value result = dropUnitAxes(rewriter, loc, op.getInput(), axes);
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerUnsqueeze : OpRewritePattern<nn::UnsqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::UnsqueezeOp op, PatternRewriter &rewriter) const override {
    if (op.getDynamicAxes())
      return failure();
    auto axes = normalizedAxes(op.getAxes(), op.getType().getRank());
    Value result = insertUnitAxes(rewriter, op.getLoc(), op.getInput(), axes);
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, op.getLoc(), op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

// A static transpose of at least this many elements that moves the input's
// innermost axis is computed in square tiles.
constexpr int64_t kTiledTransposeElements = 32 * 1024;

// The T x T matrix whose rows are `rows` (T vectors of T), transposed in
// registers: log2(T) rounds, each interleaving row i with row i + T/2 into
// rows 2i and 2i + 1; a round moves the row index's top bit to the bottom
// of the column index and the column's top bit to the bottom of the row's.
SmallVector<Value> transposeInRegisters(OpBuilder &b, Location loc, SmallVector<Value> rows) {
  int64_t t = rows.size();
  SmallVector<int64_t> low, high;
  for (int64_t i = 0; i < t / 2; ++i) {
    low.append({i, t + i});
    high.append({t / 2 + i, t + t / 2 + i});
  }
  for (int64_t round = 1; round < t; round *= 2) {
    SmallVector<Value> next;
    for (int64_t i = 0; i < t / 2; ++i) {
      next.push_back(vector::ShuffleOp::create(b, loc, rows[i], rows[i + t / 2], low));
      next.push_back(vector::ShuffleOp::create(b, loc, rows[i], rows[i + t / 2], high));
    }
    rows = std::move(next);
  }
  return rows;
}

// `input` transposed by `perm` in tiles of T x T over the two axes that
// trade places at the inside (the input's innermost axis and the output's),
// a parallel loop over the tiles; null where neither 16 nor 8 divides both.
// A tile is T vector reads along the input's innermost axis, transposed in
// registers, and T vector writes along the output's. Element by element,
// the loops read one value per cache line (a channels-last
// [1, 112, 112, 96] back to NCHW took 2.6 ms against ONNX Runtime's 0.34).
Value tiledTranspose(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> perm,
                     RankedTensorType resultType) {
  int64_t rank = resultType.getRank();
  auto inType = cast<RankedTensorType>(input.getType());
  // Booleans stay element by element: vectors of i1 are bit-packed in
  // memory, tensors of i1 a byte an element.
  if (!inType.hasStaticShape() || inType.getNumElements() < kTiledTransposeElements || rank < 2 ||
      !inType.getElementType().isIntOrFloat() || inType.getElementType().getIntOrFloatBitWidth() < 8)
    return {};
  int64_t inner = rank - 1;
  int64_t moved = llvm::find(perm, inner) - perm.begin(); // output axis of the input's innermost
  if (moved == inner)
    return {};
  ArrayRef<int64_t> out = resultType.getShape();
  int64_t tile = 0;
  for (int64_t t : {16, 8})
    if (out[moved] % t == 0 && out[inner] % t == 0) {
      tile = t;
      break;
    }
  if (tile == 0)
    return {};
  Type element = inType.getElementType();
  auto vectorType = VectorType::get({tile}, element);
  SmallVector<int64_t> tileShape(rank, 1);
  tileShape[moved] = tileShape[inner] = tile;
  // The loop's innermost axis is the output axis `moved`: consecutive tiles
  // read the same input pixels' next lines (with it outermost, each pass
  // over the input read 1 line in C / T).
  SmallVector<int64_t> loopAxes;
  for (int64_t d = 0; d < rank; ++d)
    if (d != moved)
      loopAxes.push_back(d);
  loopAxes.push_back(moved);
  SmallVector<OpFoldResult> counts;
  for (int64_t d : loopAxes)
    counts.push_back(b.getIndexAttr(out[d] / tileShape[d]));
  auto forall = scf::ForallOp::create(b, loc, counts, ValueRange{emptyTensor(b, loc, resultType)},
                                      std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> outStart;
  SmallVector<OpFoldResult> outOffsets, outSizes, unit;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t loop = llvm::find(loopAxes, d) - loopAxes.begin();
    outStart.push_back(scaledIndex(b, loc, forall.getInductionVar(loop), tileShape[d], 0));
    outOffsets.push_back(outStart.back());
    outSizes.push_back(b.getIndexAttr(tileShape[d]));
    unit.push_back(b.getIndexAttr(1));
  }
  // Row i of the tile: input index with the output's innermost axis's
  // source at start + i, read along the input's innermost axis.
  Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  SmallVector<Value> rows;
  for (int64_t i = 0; i < tile; ++i) {
    SmallVector<Value> at(rank);
    for (int64_t d = 0; d < rank; ++d)
      at[perm[d]] = d == inner ? plusConstant(b, loc, outStart[d], i) : outStart[d];
    rows.push_back(vector::TransferReadOp::create(b, loc, vectorType, input, at, pad,
                                                  ArrayRef<bool>{true}));
  }
  rows = transposeInRegisters(b, loc, rows);
  // Row j now runs along the output's innermost axis, at index j of the
  // axis that holds the input's innermost.
  Value tileOut = emptyTensor(b, loc, RankedTensorType::get(tileShape, element));
  Value zero = indexConstant(b, loc, 0);
  for (int64_t j = 0; j < tile; ++j) {
    SmallVector<Value> at(rank, zero);
    at[moved] = indexConstant(b, loc, j);
    tileOut = vector::TransferWriteOp::create(b, loc, rows[j], tileOut, at, ArrayRef<bool>{true})
                  .getResult();
  }
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, tileOut, forall.getRegionIterArgs()[0],
                                        outOffsets, outSizes, unit);
  return forall.getResult(0);
}

struct LowerTranspose : OpRewritePattern<nn::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TransposeOp op, PatternRewriter &rewriter) const override {
    if (Value tiled =
            tiledTranspose(rewriter, op.getLoc(), op.getInput(), op.getPerm(), op.getType())) {
      rewriter.replaceOp(op, tiled);
      return success();
    }
    Sizes in = sizesOf(rewriter, op.getLoc(), op.getInput()), out;
    for (int64_t p : op.getPerm())
      out.push_back(in[p]);
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType(), out);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(), op.getInput(), init,
                                                       op.getPerm())
                               .getResult()[0]);
    return success();
  }
};

// Start, size and step of one sliced axis of extent `d`, with ONNX's
// clamping of negative and out-of-range starts and ends.
std::tuple<Value, Value> sliceBounds(OpBuilder &b, Location loc, Value d, Value start, Value end,
                                     int64_t step) {
  Value zero = indexConstant(b, loc, 0);
  auto wrap = [&](Value v) {
    return select(b, loc, cmp(b, loc, arith::CmpIPredicate::slt, v, zero), addIdx(b, loc, v, d), v);
  };
  start = wrap(start);
  end = wrap(end);
  Value size;
  if (step > 0) {
    start = clampIdx(b, loc, start, zero, d);
    end = clampIdx(b, loc, end, zero, d);
    Value span = arith::MaxSIOp::create(b, loc, subIdx(b, loc, end, start), zero);
    size = arith::DivSIOp::create(
        b, loc, addIdx(b, loc, span, indexConstant(b, loc, step - 1)), indexConstant(b, loc, step));
  } else {
    Value minusOne = indexConstant(b, loc, -1);
    start = clampIdx(b, loc, start, zero, subIdx(b, loc, d, indexConstant(b, loc, 1)));
    end = clampIdx(b, loc, end, minusOne, subIdx(b, loc, d, indexConstant(b, loc, 1)));
    Value span = arith::MaxSIOp::create(b, loc, subIdx(b, loc, start, end), zero);
    size = arith::DivSIOp::create(
        b, loc, addIdx(b, loc, span, indexConstant(b, loc, -step - 1)), indexConstant(b, loc, -step));
  }
  return {start, size};
}

struct LowerSlice : OpRewritePattern<nn::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SliceOp op, PatternRewriter &rewriter) const override {
    auto inType = typeOf(op.getInput());
    int64_t rank = inType.getRank();
    Location loc = op.getLoc();
    if (inType.hasStaticShape() && op.getType().hasStaticShape())
      return lowerStatic(op, rewriter);
    Sizes in = sizesOf(rewriter, loc, op.getInput());
    Sizes offsets(rank, rewriter.getIndexAttr(0)), sizes(in), steps(rank, rewriter.getIndexAttr(1));
    bool positive = true;
    for (size_t i = 0; i < op.getAxes().size(); ++i) {
      int64_t axis = *nn::normalizeAxis(op.getAxes()[i], rank);
      int64_t step = op.getSteps()[i];
      positive &= step > 0;
      auto [start, size] = sliceBounds(
          rewriter, loc, indexValue(rewriter, loc, in[axis]),
          indexConstant(rewriter, loc, std::clamp<int64_t>(op.getStarts()[i], INT32_MIN, INT32_MAX)),
          indexConstant(rewriter, loc, std::clamp<int64_t>(op.getEnds()[i], INT32_MIN, INT32_MAX)),
          step);
      offsets[axis] = start;
      sizes[axis] = size;
      steps[axis] = rewriter.getIndexAttr(step);
    }
    if (positive) {
      Value slice = tensor::ExtractSliceOp::create(rewriter, loc, op.getInput(), offsets, sizes, steps);
      if (slice.getType() != op.getType())
        slice = tensor::CastOp::create(rewriter, loc, op.getType(), slice);
      rewriter.replaceOp(op, slice);
      return success();
    }
    Value input = op.getInput();
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, op.getType(), sizes,
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) {
                                             SmallVector<Value> pos;
                                             for (int64_t i = 0; i < rank; ++i)
                                               pos.push_back(addIdx(
                                                   b, l, indexValue(b, l, offsets[i]),
                                                   mulIdx(b, l, iv[i], indexValue(b, l, steps[i]))));
                                             return tensor::ExtractOp::create(b, l, input, pos);
                                           }));
    return success();
  }

  LogicalResult lowerStatic(nn::SliceOp op, PatternRewriter &rewriter) const {
    auto inType = typeOf(op.getInput());
    int64_t rank = inType.getRank();
    SmallVector<int64_t> offsets(rank, 0), steps(rank, 1);
    SmallVector<int64_t> sizes(op.getType().getShape());
    for (size_t i = 0; i < op.getAxes().size(); ++i) {
      int64_t axis = *nn::normalizeAxis(op.getAxes()[i], rank);
      int64_t d = inType.getDimSize(axis), step = op.getSteps()[i];
      int64_t start = op.getStarts()[i];
      if (start < 0)
        start += d;
      start = step > 0 ? std::clamp<int64_t>(start, 0, d) : std::clamp<int64_t>(start, 0, d - 1);
      offsets[axis] = start;
      steps[axis] = step;
    }
    Location loc = op.getLoc();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, op.getType(), op.getInput(), indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, sizes), indexAttrs(rewriter, steps));
      return success();
    }
    // Negative steps: read input[offset + i * step] per axis.
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < rank; ++i)
      exprs.push_back(getAffineDimExpr(i, ctx) * steps[i] + offsets[i]);
    auto map = AffineMap::get(rank, 0, exprs, ctx);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, op.getType(), op.getInput(), emptyTensor(rewriter, loc, op.getType()),
            ArrayRef<AffineMap>{map, rewriter.getMultiDimIdentityMap(rank)},
            SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange args) { linalg::YieldOp::create(b, l, args[0]); })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerConcat : OpRewritePattern<nn::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConcatOp op, PatternRewriter &rewriter) const override {
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), rank);
    Location loc = op.getLoc();
    // Result sizes: the result type's where static, else the first input's,
    // with the axis summed over all inputs.
    Sizes first = sizesOf(rewriter, loc, op.getInputs()[0]);
    Sizes out(first);
    for (int64_t d = 0; d < rank; ++d)
      if (!type.isDynamicDim(d))
        out[d] = rewriter.getIndexAttr(type.getDimSize(d));
    Value total = indexConstant(rewriter, loc, 0);
    for (Value input : op.getInputs()) {
      Sizes in = sizesOf(rewriter, loc, input);
      total = addIdx(rewriter, loc, total, indexValue(rewriter, loc, in[axis]));
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && typeOf(input).isDynamicDim(d) && in[d] != out[d])
          runtimeCheck(rewriter, loc,
                       cmp(rewriter, loc, arith::CmpIPredicate::eq, indexValue(rewriter, loc, in[d]),
                           indexValue(rewriter, loc, out[d])),
                       "the inputs differ in dimension " + llvm::Twine(d) + " at run time");
    }
    out[axis] = total;
    Value result = emptyTensor(rewriter, loc, type, out);
    Value offset = indexConstant(rewriter, loc, 0);
    for (Value input : op.getInputs()) {
      Sizes in = sizesOf(rewriter, loc, input);
      Sizes offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = offset;
      Sizes sizes(out);
      sizes[axis] = in[axis];
      // The input as the slice it fills: dims the result knows statically
      // become static (checked above).
      SmallVector<int64_t> sliceShape(typeOf(input).getShape());
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && !type.isDynamicDim(d))
          sliceShape[d] = type.getDimSize(d);
      auto sliceType = RankedTensorType::get(sliceShape, type.getElementType());
      Value source = input;
      if (sliceType != input.getType())
        source = tensor::CastOp::create(rewriter, loc, sliceType, input);
      result = tensor::InsertSliceOp::create(rewriter, loc, source, result, offsets, sizes,
                                             Sizes(rank, rewriter.getIndexAttr(1)));
      offset = addIdx(rewriter, loc, offset, indexValue(rewriter, loc, in[axis]));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerSplit : OpRewritePattern<nn::SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SplitOp op, PatternRewriter &rewriter) const override {
    if (op.getDynamicSplit())
      return failure();
    auto inType = typeOf(op.getInput());
    int64_t rank = inType.getRank();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), rank);
    Location loc = op.getLoc();
    Sizes in = sizesOf(rewriter, loc, op.getInput());
    SmallVector<Value> parts;
    int64_t offset = 0;
    for (auto [i, result] : llvm::enumerate(op.getResults())) {
      auto type = typeOf(result);
      Sizes offsets(rank, rewriter.getIndexAttr(0)), sizes(in);
      offsets[axis] = rewriter.getIndexAttr(offset);
      sizes[axis] = rewriter.getIndexAttr(op.getSplit()[i]);
      parts.push_back(tensor::ExtractSliceOp::create(rewriter, loc, type, op.getInput(), offsets,
                                                     sizes, Sizes(rank, rewriter.getIndexAttr(1))));
      offset += op.getSplit()[i];
    }
    if (inType.isDynamicDim(axis))
      runtimeCheck(rewriter, loc,
                   cmp(rewriter, loc, arith::CmpIPredicate::sge, indexValue(rewriter, loc, in[axis]),
                       indexConstant(rewriter, loc, offset)),
                   "the split sizes are larger than the input at run time");
    rewriter.replaceOp(op, parts);
    return success();
  }
};

struct LowerGather : OpRewritePattern<nn::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GatherOp op, PatternRewriter &rewriter) const override {
    auto dataType = typeOf(op.getData()), idxType = typeOf(op.getIndices());
    int64_t axis = *nn::normalizeAxis(op.getAxis(), dataType.getRank());
    int64_t idxRank = idxType.getRank();
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices();
    Sizes dataSizes = sizesOf(rewriter, loc, data), idxSizes = sizesOf(rewriter, loc, indices);
    Sizes out(dataSizes.begin(), dataSizes.begin() + axis);
    out.append(idxSizes.begin(), idxSizes.end());
    out.append(dataSizes.begin() + axis + 1, dataSizes.end());
    Value axisSize = indexValue(rewriter, loc, dataSizes[axis]);
    Value result = indexedGenerate(
        rewriter, loc, op.getType(), out,
        [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          SmallVector<Value> idxPos(iv.begin() + axis, iv.begin() + axis + idxRank);
          Value raw = tensor::ExtractOp::create(b, l, indices, idxPos);
          Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), raw);
          // Negative indices count from the end; out-of-range ones are clamped
          // so a bad index cannot read outside the tensor.
          Value zero = indexConst(b, l, 0);
          Value isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, zero);
          idx = arith::SelectOp::create(b, l, isNeg, arith::AddIOp::create(b, l, idx, axisSize), idx);
          idx = clampIdx(b, l, idx, zero, arith::SubIOp::create(b, l, axisSize, indexConst(b, l, 1)));
          SmallVector<Value> pos(iv.begin(), iv.begin() + axis);
          pos.push_back(idx);
          pos.append(iv.begin() + axis + idxRank, iv.end());
          return tensor::ExtractOp::create(b, l, data, pos);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Shape and Size fold on static shapes; otherwise they read the dims.
struct LowerShape : OpRewritePattern<nn::ShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ShapeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t rank = typeOf(op.getInput()).getRank();
    int64_t start = std::clamp<int64_t>(op.getStart() < 0 ? op.getStart() + rank : op.getStart(), 0, rank);
    int64_t end = op.getEnd() ? *op.getEnd() : rank;
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    Sizes in = sizesOf(rewriter, loc, op.getInput());
    SmallVector<Value> dims;
    for (int64_t i = start; i < end; ++i)
      dims.push_back(arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                                indexValue(rewriter, loc, in[i])));
    Value result;
    if (dims.empty())
      result = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(RankedTensorType::get({0}, rewriter.getI64Type()),
                                                ArrayRef<int64_t>{}));
    else
      result = tensor::FromElementsOp::create(rewriter, loc, dims);
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerSize : OpRewritePattern<nn::SizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SizeOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value count = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getI64Type(),
        productOf(rewriter, loc, sizesOf(rewriter, loc, op.getInput())));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(), ValueRange{count});
    return success();
  }
};

// Sizes held by a 1-D shape operand (constant or computed), checked >= 0.
Sizes sizesFromShapeOperand(OpBuilder &b, Location loc, Value shape, RankedTensorType type) {
  Sizes sizes;
  auto constant = nn::getConstantInts(shape);
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!type.isDynamicDim(i)) {
      sizes.push_back(b.getIndexAttr(type.getDimSize(i)));
      continue;
    }
    Value v = constant ? indexConstant(b, loc, (*constant)[i]) : extractIndex(b, loc, shape, i);
    runtimeCheck(b, loc, cmp(b, loc, arith::CmpIPredicate::sge, v, indexConstant(b, loc, 0)),
                 "the shape has a negative size at run time");
    sizes.push_back(v);
  }
  return sizes;
}

struct LowerConstantOfShape : OpRewritePattern<nn::ConstantOfShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConstantOfShapeOp op, PatternRewriter &rewriter) const override {
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    if (!value)
      return op.emitError("ConstantOfShape: value must be a dense constant"), failure();
    if (op.getType().hasStaticShape()) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, DenseElementsAttr::get(op.getType(), value.getSplatValue<Attribute>()));
      return success();
    }
    Location loc = op.getLoc();
    Value fill = arith::ConstantOp::create(rewriter, loc,
                                           cast<TypedAttr>(value.getSplatValue<Attribute>()));
    rewriter.replaceOp(op, filledTensor(rewriter, loc, op.getType(),
                                        sizesFromShapeOperand(rewriter, loc, op.getShape(), op.getType()),
                                        fill));
    return success();
  }
};

struct LowerExpand : OpRewritePattern<nn::ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ExpandOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType(), inType = typeOf(op.getInput());
    if (type.hasStaticShape()) {
      rewriter.replaceOp(op, elementwise(rewriter, loc, type, op.getInput(),
                                         [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
      return success();
    }
    // Result dim = max(input dim, requested dim) where either is 1.
    int64_t rank = type.getRank(), offset = rank - inType.getRank();
    Sizes in = sizesOf(rewriter, loc, op.getInput());
    auto constant = nn::getConstantInts(op.getShape());
    int64_t shapeLen = typeOf(op.getShape()).getDimSize(0), shapeOffset = rank - shapeLen;
    Sizes out;
    for (int64_t i = 0; i < rank; ++i) {
      if (!type.isDynamicDim(i)) {
        out.push_back(rewriter.getIndexAttr(type.getDimSize(i)));
        continue;
      }
      Value want = i >= shapeOffset
                       ? (constant ? indexConstant(rewriter, loc, (*constant)[i - shapeOffset])
                                   : extractIndex(rewriter, loc, op.getShape(), i - shapeOffset))
                       : indexConstant(rewriter, loc, 1);
      Value have = i >= offset ? indexValue(rewriter, loc, in[i - offset]) : indexConstant(rewriter, loc, 1);
      Value one = indexConstant(rewriter, loc, 1);
      Value ok = arith::OrIOp::create(
          rewriter, loc,
          arith::OrIOp::create(rewriter, loc, cmp(rewriter, loc, arith::CmpIPredicate::eq, want, one),
                               cmp(rewriter, loc, arith::CmpIPredicate::eq, have, one)),
          cmp(rewriter, loc, arith::CmpIPredicate::eq, want, have));
      runtimeCheck(rewriter, loc, ok, "the input does not broadcast to the requested shape at run time");
      out.push_back(arith::MaxSIOp::create(rewriter, loc, want, have).getResult());
    }
    Value input = op.getInput();
    // Each result index reads the input there, or at 0 where the input's dim is 1.
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, type, out,
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) {
                                             SmallVector<Value> pos;
                                             for (int64_t i = 0; i < inType.getRank(); ++i) {
                                               if (inType.getDimSize(i) == 1) {
                                                 pos.push_back(indexConst(b, l, 0));
                                                 continue;
                                               }
                                               Value d = indexValue(b, l, in[i]);
                                               Value unit = cmp(b, l, arith::CmpIPredicate::eq, d,
                                                                indexConst(b, l, 1));
                                               pos.push_back(select(b, l, unit, indexConst(b, l, 0),
                                                                    iv[offset + i]));
                                             }
                                             return tensor::ExtractOp::create(b, l, input, pos);
                                           }));
    return success();
  }
};

struct LowerTile : OpRewritePattern<nn::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TileOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    Sizes in = sizesOf(rewriter, loc, op.getInput()), out;
    auto constant = nn::getConstantInts(op.getRepeats());
    for (int64_t i = 0; i < rank; ++i) {
      if (!type.isDynamicDim(i)) {
        out.push_back(rewriter.getIndexAttr(type.getDimSize(i)));
        continue;
      }
      Value r = constant ? indexConstant(rewriter, loc, (*constant)[i])
                         : extractIndex(rewriter, loc, op.getRepeats(), i);
      runtimeCheck(rewriter, loc,
                   cmp(rewriter, loc, arith::CmpIPredicate::sge, r, indexConstant(rewriter, loc, 0)),
                   "a repeat count is negative at run time");
      out.push_back(mulIdx(rewriter, loc, r, indexValue(rewriter, loc, in[i])));
    }
    Value input = op.getInput();
    rewriter.replaceOp(op, indexedGenerate(rewriter, loc, type, out,
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             SmallVector<Value> pos;
                                             for (auto [i, v] : llvm::enumerate(iv))
                                               pos.push_back(arith::RemUIOp::create(
                                                   b, l, v, indexValue(b, l, in[i])));
                                             return tensor::ExtractOp::create(b, l, input, pos);
                                           }));
    return success();
  }
};

// Which of `rank` axes a 1-D axes tensor lists (negative axes count from
// the end), as i1 values.
SmallVector<Value> listedAxes(OpBuilder &b, Location loc, Value axes, int64_t rank) {
  Value zero = indexConstant(b, loc, 0), one = indexConstant(b, loc, 1);
  Value count = tensor::DimOp::create(b, loc, axes, 0);
  SmallVector<Value> listed;
  for (int64_t d = 0; d < rank; ++d)
    listed.push_back(
        scf::ForOp::create(b, loc, zero, count, one,
                           ValueRange{arith::ConstantIntOp::create(b, loc, 0, 1)},
                           [&](OpBuilder &nb, Location l, Value j, ValueRange acc) {
                             Value a = arith::IndexCastOp::create(
                                 nb, l, nb.getIndexType(), tensor::ExtractOp::create(nb, l, axes, ValueRange{j}));
                             Value neg = cmp(nb, l, arith::CmpIPredicate::slt, a, indexConstant(nb, l, 0));
                             a = select(nb, l, neg, addIdx(nb, l, a, indexConstant(nb, l, rank)), a);
                             Value hit = cmp(nb, l, arith::CmpIPredicate::eq, a, indexConstant(nb, l, d));
                             scf::YieldOp::create(nb, l, ValueRange{arith::OrIOp::create(nb, l, acc[0], hit)});
                           })
            .getResult(0));
  return listed;
}

// The k-th of `values` whose `keep` flag is set, for k = 0.. count-1.
Sizes compacted(OpBuilder &b, Location loc, ArrayRef<Value> keep, ArrayRef<Value> values,
                int64_t count) {
  Sizes out;
  for (int64_t k = 0; k < count; ++k) {
    Value picked = indexConstant(b, loc, 1), seen = indexConstant(b, loc, 0);
    for (auto [flag, v] : llvm::zip(keep, values)) {
      Value isK = arith::AndIOp::create(b, loc, flag,
                                        cmp(b, loc, arith::CmpIPredicate::eq, seen, indexConstant(b, loc, k)));
      picked = select(b, loc, isK, v, picked);
      seen = select(b, loc, flag, addIdx(b, loc, seen, indexConstant(b, loc, 1)), seen);
    }
    out.push_back(picked);
  }
  return out;
}

Value notOf(OpBuilder &b, Location loc, Value flag) {
  return arith::XOrIOp::create(b, loc, flag, arith::ConstantIntOp::create(b, loc, 1, 1));
}

// Squeeze / Unsqueeze whose axes are known at run time: a reshape to sizes
// computed from the listed axes.
struct LowerDynamicSqueeze : RewritePattern {
  LowerDynamicSqueeze(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 2, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<nn::SqueezeOp, nn::UnsqueezeOp>(op) || op->getNumOperands() != 2)
      return failure();
    Location loc = op->getLoc();
    Value input = op->getOperand(0), axes = op->getOperand(1);
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Sizes in = sizesOf(rewriter, loc, input);
    SmallVector<Value> inSizes = llvm::map_to_vector(in, [&](OpFoldResult f) { return indexValue(rewriter, loc, f); });
    Sizes out;
    if (isa<nn::SqueezeOp>(op)) {
      SmallVector<Value> listed = listedAxes(rewriter, loc, axes, typeOf(input).getRank());
      SmallVector<Value> keep;
      for (auto [flag, size] : llvm::zip(listed, inSizes)) {
        Value unit = cmp(rewriter, loc, arith::CmpIPredicate::eq, size, indexConstant(rewriter, loc, 1));
        runtimeCheck(rewriter, loc, arith::OrIOp::create(rewriter, loc, notOf(rewriter, loc, flag), unit),
                     "a squeezed axis does not have size 1 at run time");
        keep.push_back(notOf(rewriter, loc, flag));
      }
      out = compacted(rewriter, loc, keep, inSizes, type.getRank());
    } else {
      SmallVector<Value> listed = listedAxes(rewriter, loc, axes, type.getRank());
      // Result dim j: 1 when listed, else the next input dim.
      Value next = indexConstant(rewriter, loc, 0);
      for (int64_t j = 0; j < type.getRank(); ++j) {
        Value fromInput = indexConstant(rewriter, loc, 1);
        for (auto [i, size] : llvm::enumerate(inSizes))
          fromInput = select(rewriter, loc,
                             cmp(rewriter, loc, arith::CmpIPredicate::eq, next, indexConstant(rewriter, loc, i)),
                             size, fromInput);
        out.push_back(select(rewriter, loc, listed[j], indexConstant(rewriter, loc, 1), fromInput));
        next = select(rewriter, loc, listed[j], next, addIdx(rewriter, loc, next, indexConstant(rewriter, loc, 1)));
      }
      runtimeCheck(rewriter, loc,
                   cmp(rewriter, loc, arith::CmpIPredicate::eq, next,
                       indexConstant(rewriter, loc, (int64_t)inSizes.size())),
                   "the axes are repeated or out of range at run time");
    }
    rewriter.replaceOp(op, reshapeToSizes(rewriter, loc, input, type, out));
    return success();
  }
};

struct LowerDynamicSplit : OpRewritePattern<nn::SplitOp> {
  LowerDynamicSplit(MLIRContext *ctx) : OpRewritePattern(ctx, 2) {}
  LogicalResult matchAndRewrite(nn::SplitOp op, PatternRewriter &rewriter) const override {
    Value split = op.getDynamicSplit();
    if (!split)
      return failure();
    Location loc = op.getLoc();
    auto inType = typeOf(op.getInput());
    int64_t rank = inType.getRank();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), rank);
    Sizes in = sizesOf(rewriter, loc, op.getInput());
    SmallVector<Value> parts;
    Value offset = indexConstant(rewriter, loc, 0);
    for (auto [i, result] : llvm::enumerate(op.getResults())) {
      Value size = extractIndex(rewriter, loc, split, i);
      Sizes offsets(rank, rewriter.getIndexAttr(0)), sizes(in);
      offsets[axis] = offset;
      sizes[axis] = size;
      parts.push_back(tensor::ExtractSliceOp::create(rewriter, loc, typeOf(result), op.getInput(),
                                                     offsets, sizes, Sizes(rank, rewriter.getIndexAttr(1))));
      offset = addIdx(rewriter, loc, offset, size);
    }
    runtimeCheck(rewriter, loc,
                 cmp(rewriter, loc, arith::CmpIPredicate::eq, offset, indexValue(rewriter, loc, in[axis])),
                 "the split sizes do not add up to the axis at run time");
    rewriter.replaceOp(op, parts);
    return success();
  }
};

struct LowerPad : OpRewritePattern<nn::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::PadOp op, PatternRewriter &rewriter) const override {
    auto inType = typeOf(op.getInput());
    int64_t rank = inType.getRank();
    Location loc = op.getLoc();
    Value input = op.getInput();
    StringRef mode = op.getMode();
    Type element = inType.getElementType();
    auto staticPads = op.getPads();
    bool computed = op.getDynamicPads() || op.getDynamicValue();
    if (!computed && mode == "constant" && inType.hasStaticShape() &&
        llvm::all_of(staticPads, [](int64_t p) { return p >= 0; })) {
      rewriter.replaceOp(op, padConstant(rewriter, loc, input, staticPads.take_front(rank),
                                         staticPads.drop_front(rank), op.getValue().convertToDouble()));
      return success();
    }
    // Each output element reads one input element (or the fill value).
    SmallVector<Value> low, high;
    for (int64_t i = 0; i < 2 * rank; ++i) {
      Value p = op.getDynamicPads() ? extractIndex(rewriter, loc, op.getDynamicPads(), i)
                                    : indexConstant(rewriter, loc, staticPads[i]);
      (i < rank ? low : high).push_back(p);
    }
    Sizes in = sizesOf(rewriter, loc, input), out;
    for (int64_t i = 0; i < rank; ++i) {
      Value size = addIdx(rewriter, loc, addIdx(rewriter, loc, indexValue(rewriter, loc, in[i]), low[i]), high[i]);
      runtimeCheck(rewriter, loc, cmp(rewriter, loc, arith::CmpIPredicate::sge, size, indexConstant(rewriter, loc, 0)),
                   "negative pads crop more than the axis holds at run time");
      out.push_back(size);
    }
    Value fill;
    if (Value v = op.getDynamicValue()) {
      SmallVector<Value> zeros(typeOf(v).getRank(), indexConstant(rewriter, loc, 0));
      fill = tensor::ExtractOp::create(rewriter, loc, v, zeros);
    } else {
      fill = scalarConstant(rewriter, loc, element, op.getValue().convertToDouble());
    }
    Value result = indexedGenerate(
        rewriter, loc, op.getType(), out, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          SmallVector<Value> pos;
          Value inside = arith::ConstantIntOp::create(b, l, 1, 1);
          for (int64_t i = 0; i < rank; ++i) {
            Value d = indexValue(b, l, in[i]);
            Value p = subIdx(b, l, iv[i], low[i]);
            Value zero = indexConst(b, l, 0), last = subIdx(b, l, d, indexConst(b, l, 1));
            if (mode == "reflect") {
              // Mirror around 0 and d-1 (pads are smaller than d).
              p = select(b, l, cmp(b, l, arith::CmpIPredicate::slt, p, zero), subIdx(b, l, zero, p), p);
              Value mirrored = subIdx(b, l, addIdx(b, l, last, last), p);
              p = select(b, l, cmp(b, l, arith::CmpIPredicate::sgt, p, last), mirrored, p);
              p = clampIdx(b, l, p, zero, last);
            } else if (mode == "edge") {
              p = clampIdx(b, l, p, zero, last);
            } else if (mode == "wrap") {
              Value r = arith::RemSIOp::create(b, l, p, d);
              p = select(b, l, cmp(b, l, arith::CmpIPredicate::slt, r, zero), addIdx(b, l, r, d), r);
            } else {
              Value ge = cmp(b, l, arith::CmpIPredicate::sge, p, zero);
              Value le = cmp(b, l, arith::CmpIPredicate::sle, p, last);
              inside = arith::AndIOp::create(b, l, inside, arith::AndIOp::create(b, l, ge, le));
              p = clampIdx(b, l, p, zero, last);
            }
            pos.push_back(p);
          }
          if (mode != "constant")
            return tensor::ExtractOp::create(b, l, input, pos);
          // Reading an empty input is not possible; the fill covers it.
          Value v = scf::IfOp::create(
                        b, l, inside,
                        [&](OpBuilder &tb, Location tl) {
                          scf::YieldOp::create(tb, tl, ValueRange{tensor::ExtractOp::create(tb, tl, input, pos)});
                        },
                        [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, ValueRange{fill}); })
                        .getResult(0);
          return v;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Resize: per axis, the output size, and the source coordinate of an output
// index (ONNX's coordinate_transformation_mode); then nearest, linear or
// cubic interpolation over the resized axes. Scales and sizes may be
// constants or read at run time.
struct LowerResize : OpRewritePattern<nn::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ResizeOp op, PatternRewriter &rewriter) const override {
    StringRef coord = op.getCoordinateTransformationMode();
    static const char *modes[] = {"asymmetric", "align_corners", "half_pixel", "pytorch_half_pixel",
                                  "tf_half_pixel_for_nn", "tf_crop_and_resize",
                                  "half_pixel_symmetric"};
    if (!llvm::is_contained(modes, coord))
      return op.emitError("Resize: coordinate_transformation_mode '") << coord
             << "' is not supported", failure();
    Location loc = op.getLoc();
    if (std::optional<Value> tabled = resizeByTables(rewriter, loc, op)) {
      rewriter.replaceOp(op, *tabled);
      return success();
    }
    Value input = op.getInput();
    auto inType = typeOf(input);
    auto outType = op.getType();
    int64_t rank = inType.getRank();
    Type element = inType.getElementType();
    Type f32 = rewriter.getF32Type();
    Sizes in = sizesOf(rewriter, loc, input);
    // Per axis: f32 scale and the output size.
    SmallVector<Value> scales, inF;
    Sizes out;
    for (int64_t i = 0; i < rank; ++i) {
      Value inSize = indexValue(rewriter, loc, in[i]);
      Value inFloat = arith::UIToFPOp::create(
          rewriter, loc, f32, arith::IndexCastUIOp::create(rewriter, loc, rewriter.getI64Type(), inSize));
      inF.push_back(inFloat);
      Value scale, size;
      if (Value sizes = op.getDynamicSizes()) {
        size = extractIndex(rewriter, loc, sizes, i);
        Value sizeF = arith::UIToFPOp::create(
            rewriter, loc, f32, arith::IndexCastUIOp::create(rewriter, loc, rewriter.getI64Type(), size));
        scale = arith::DivFOp::create(rewriter, loc, sizeF, inFloat);
      } else {
        if (Value dyn = op.getDynamicScales()) {
          scale = tensor::ExtractOp::create(rewriter, loc, dyn, ValueRange{indexConstant(rewriter, loc, i)});
          if (!cast<FloatType>(scale.getType()).isF32())
            scale = arith::TruncFOp::create(rewriter, loc, f32, scale);
        } else {
          scale = scalarConstant(rewriter, loc, f32, op.getScales()[i]);
        }
        if (!outType.isDynamicDim(i)) {
          size = indexConstant(rewriter, loc, outType.getDimSize(i));
          if (auto fixed = op.getSizes())
            scale = scalarConstant(rewriter, loc, f32, double((*fixed)[i]) / double(inType.getDimSize(i)));
        } else {
          // floor(in * scale), as ONNX computes the output size.
          Value prod = arith::MulFOp::create(rewriter, loc, inFloat, scale);
          size = arith::IndexCastOp::create(
              rewriter, loc, rewriter.getIndexType(),
              arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(),
                                      math::FloorOp::create(rewriter, loc, prod)));
        }
      }
      scales.push_back(scale);
      out.push_back(size);
    }
    bool linear = op.getMode() == "linear", cubic = op.getMode() == "cubic";
    StringRef nearestMode = op.getNearestMode();
    double a = op.getCubicCoeffA().convertToDouble();
    bool excludeOutside = op.getExcludeOutside() != 0;
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    Value roi = op.getRoi();
    Value result = indexedGenerate(
        rewriter, loc, outType, out, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          auto c = [&](double v) { return scalarConstant(b, l, f32, v); };
          auto toIndex = [&](Value f) {
            return arith::IndexCastOp::create(b, l, b.getIndexType(),
                                              arith::FPToSIOp::create(b, l, b.getI64Type(), f));
          };
          Value outside = arith::ConstantIntOp::create(b, l, 0, 1);
          // Per axis: the taps (indices) and their weights.
          SmallVector<SmallVector<Value>> taps(rank), weights(rank);
          for (int64_t i = 0; i < rank; ++i) {
            bool identity = !inType.isDynamicDim(i) && !outType.isDynamicDim(i) &&
                            inType.getDimSize(i) == outType.getDimSize(i) && !op.getDynamicScales() &&
                            !op.getDynamicSizes() && op.getScales()[i] == 1.0 && !roi;
            if (identity) {
              taps[i] = {iv[i]};
              weights[i] = {Value()};
              continue;
            }
            Value inSize = indexValue(b, l, in[i]);
            // ONNX's "resized length": in * scale, not rounded.
            Value outSizeF = arith::MulFOp::create(b, l, inF[i], scales[i]);
            Value x = arith::UIToFPOp::create(b, l, f32, arith::IndexCastUIOp::create(b, l, b.getI64Type(), iv[i]));
            Value scale = scales[i];
            Value src;
            if (coord == "asymmetric") {
              src = arith::DivFOp::create(b, l, x, scale);
            } else if (coord == "align_corners") {
              Value denom = arith::SubFOp::create(b, l, outSizeF, c(1));
              Value ratio = arith::DivFOp::create(b, l, arith::SubFOp::create(b, l, inF[i], c(1)), denom);
              Value one = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, outSizeF, c(1));
              src = arith::SelectOp::create(b, l, one, c(0), arith::MulFOp::create(b, l, x, ratio));
            } else if (coord == "tf_half_pixel_for_nn") {
              src = arith::DivFOp::create(b, l, arith::AddFOp::create(b, l, x, c(0.5)), scale);
            } else if (coord == "tf_crop_and_resize") {
              auto roiAt = [&](int64_t k) -> Value {
                Value v = tensor::ExtractOp::create(b, l, roi, ValueRange{indexConst(b, l, k)});
                return cast<FloatType>(v.getType()).isF32() ? v : Value(arith::TruncFOp::create(b, l, f32, v));
              };
              Value start = roiAt(i), end = roiAt(i + rank);
              Value span = arith::SubFOp::create(b, l, inF[i], c(1));
              Value denom = arith::SubFOp::create(b, l, outSizeF, c(1));
              Value step = arith::DivFOp::create(
                  b, l, arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, end, start), span), denom);
              Value many = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, start, span),
                                                 arith::MulFOp::create(b, l, x, step));
              Value single = arith::MulFOp::create(
                  b, l, arith::MulFOp::create(b, l, c(0.5), arith::AddFOp::create(b, l, start, end)), span);
              Value isOne = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, outSizeF, c(1));
              src = arith::SelectOp::create(b, l, isOne, single, many);
              Value below = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, src, c(0));
              Value above = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, src, span);
              outside = arith::OrIOp::create(b, l, outside, arith::OrIOp::create(b, l, below, above));
            } else {
              // half_pixel (pytorch_half_pixel: 0 for a length-1 output).
              Value centre = arith::SubFOp::create(
                  b, l, arith::DivFOp::create(b, l, arith::AddFOp::create(b, l, x, c(0.5)), scale), c(0.5));
              if (coord == "half_pixel_symmetric") {
                Value adj = arith::DivFOp::create(b, l, outSizeF, arith::MulFOp::create(b, l, inF[i], scale));
                Value offset = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, inF[i], c(0.5)),
                                                     arith::SubFOp::create(b, l, c(1), adj));
                centre = arith::AddFOp::create(
                    b, l, offset,
                    arith::SubFOp::create(b, l, arith::DivFOp::create(b, l, arith::AddFOp::create(b, l, x, c(0.5)), scale),
                                          c(0.5)));
              }
              if (coord == "pytorch_half_pixel") {
                Value one = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, outSizeF, c(1));
                centre = arith::SelectOp::create(b, l, one, c(0), centre);
              }
              src = centre;
            }
            Value last = subIdx(b, l, inSize, indexConst(b, l, 1));
            auto clampI = [&](Value i) { return clampIdx(b, l, i, indexConst(b, l, 0), last); };
            if (!linear && !cubic) {
              Value r;
              if (nearestMode == "floor")
                r = math::FloorOp::create(b, l, src);
              else if (nearestMode == "ceil")
                r = math::CeilOp::create(b, l, src);
              else if (nearestMode == "round_prefer_ceil")
                r = math::FloorOp::create(b, l, arith::AddFOp::create(b, l, src, c(0.5)));
              else // round_prefer_floor
                r = math::CeilOp::create(b, l, arith::SubFOp::create(b, l, src, c(0.5)));
              taps[i] = {clampI(toIndex(r))};
              weights[i] = {Value()};
              continue;
            }
            if (linear) {
              Value xs = arith::MaximumFOp::create(b, l, src, c(0));
              Value fl = math::FloorOp::create(b, l, xs);
              Value lo = clampI(toIndex(fl));
              Value hi = clampI(addIdx(b, l, lo, indexConst(b, l, 1)));
              Value w = arith::SubFOp::create(b, l, xs, fl);
              // Past the last sample the high weight goes to the clamped index.
              taps[i] = {lo, hi};
              weights[i] = {arith::SubFOp::create(b, l, c(1), w), w};
              continue;
            }
            // Cubic: taps floor-1 .. floor+2 with Keys' coefficients.
            Value fl = math::FloorOp::create(b, l, src);
            Value t = arith::SubFOp::create(b, l, src, fl);
            Value base = toIndex(fl);
            auto coeff = [&](Value d) { // d = |distance| in [0, 2]
              Value d2 = arith::MulFOp::create(b, l, d, d), d3 = arith::MulFOp::create(b, l, d2, d);
              Value near = arith::AddFOp::create(
                  b, l,
                  arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, c(a + 2), d3),
                                        arith::MulFOp::create(b, l, c(a + 3), d2)),
                  c(1));
              Value far = arith::SubFOp::create(
                  b, l,
                  arith::AddFOp::create(b, l,
                                        arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, c(a), d3),
                                                              arith::MulFOp::create(b, l, c(5 * a), d2)),
                                        arith::MulFOp::create(b, l, c(8 * a), d)),
                  c(4 * a));
              return arith::SelectOp::create(b, l, arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, d, c(1)),
                                             near, far)
                  .getResult();
            };
            SmallVector<Value> ws;
            Value total = c(0);
            for (int64_t k = -1; k <= 2; ++k) {
              Value idx = addIdx(b, l, base, indexConst(b, l, k));
              Value dist = math::AbsFOp::create(b, l, arith::SubFOp::create(b, l, t, c((double)k)));
              Value w = coeff(dist);
              if (excludeOutside) {
                Value inRange = arith::AndIOp::create(
                    b, l, cmp(b, l, arith::CmpIPredicate::sge, idx, indexConst(b, l, 0)),
                    cmp(b, l, arith::CmpIPredicate::sle, idx, last));
                w = arith::SelectOp::create(b, l, inRange, w, c(0));
              }
              total = arith::AddFOp::create(b, l, total, w);
              taps[i].push_back(clampI(idx));
              ws.push_back(w);
            }
            for (Value &w : ws)
              w = excludeOutside ? Value(arith::DivFOp::create(b, l, w, total)) : w;
            weights[i] = ws;
          }
          // Sum over every combination of taps on the interpolated axes.
          SmallVector<int64_t> interp;
          for (int64_t i = 0; i < rank; ++i)
            if (weights[i].front())
              interp.push_back(i);
          SmallVector<Value> pos;
          for (int64_t i = 0; i < rank; ++i)
            pos.push_back(taps[i].front());
          Value acc;
          if (interp.empty()) {
            acc = tensor::ExtractOp::create(b, l, input, pos);
          } else {
            // Sums in f32 (f64 for f64 data), with f32 weights like ONNX
            // Runtime's.
            Type sumType = element.isF64() ? element : f32;
            acc = scalarConstant(b, l, sumType, 0.0);
            int64_t combos = 1;
            for (int64_t i : interp)
              combos *= taps[i].size();
            for (int64_t combo = 0; combo < combos; ++combo) {
              int64_t rest = combo;
              Value weight = c(1);
              for (int64_t i : interp) {
                int64_t k = rest % taps[i].size();
                rest /= taps[i].size();
                pos[i] = taps[i][k];
                weight = arith::MulFOp::create(b, l, weight, weights[i][k]);
              }
              if (sumType != f32)
                weight = arith::ExtFOp::create(b, l, sumType, weight);
              Value v = tensor::ExtractOp::create(b, l, input, pos);
              if (v.getType() != sumType)
                v = isa<FloatType>(element) ? Value(arith::ExtFOp::create(b, l, sumType, v))
                                            : Value(arith::UIToFPOp::create(b, l, sumType, v));
              acc = arith::AddFOp::create(b, l, acc, arith::MulFOp::create(b, l, v, weight));
            }
            if (acc.getType() != element)
              acc = isa<FloatType>(element)
                        ? Value(arith::TruncFOp::create(b, l, element, acc))
                        : Value(arith::FPToUIOp::create(b, l, element,
                                                        math::RoundEvenOp::create(b, l, acc)));
          }
          if (roi)
            acc = arith::SelectOp::create(b, l, outside, scalarConstant(b, l, element, extrapolation), acc);
          return acc;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerReshape, LowerFlatten, LowerSqueeze, LowerUnsqueeze, LowerDynamicSqueeze,
               LowerTranspose, LowerSlice, LowerConcat, LowerSplit, LowerDynamicSplit, LowerGather,
               LowerShape, LowerSize, LowerConstantOfShape, LowerExpand, LowerTile, LowerPad,
               LowerResize>(ctx);
}

} // namespace openopt::lowering
