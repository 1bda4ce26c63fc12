//===- DataMovementLowering.cpp - reshapes, slices, gathers, resize -------===//
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

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

// Reshape-like ops all keep the element order.
template <typename OpTy>
struct LowerReshapeLike : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), op->getOperand(0),
                                     op.getType().getShape()));
    return success();
  }
};

struct LowerTranspose : OpRewritePattern<nn::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TransposeOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(), op.getInput(), init,
                                                       op.getPerm())
                               .getResult()[0]);
    return success();
  }
};

struct LowerSlice : OpRewritePattern<nn::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SliceOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
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
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto type = op.getType();
    int64_t axis = *nn::normalizeAxis(op.getAxis(), type.getRank());
    Location loc = op.getLoc();
    Value result = emptyTensor(rewriter, loc, type);
    int64_t offset = 0;
    for (Value input : op.getInputs()) {
      auto inType = typeOf(input);
      SmallVector<int64_t> offsets(type.getRank(), 0);
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, inType.getShape()),
          indexAttrs(rewriter, SmallVector<int64_t>(type.getRank(), 1)));
      offset += inType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerSplit : OpRewritePattern<nn::SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::SplitOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto inType = typeOf(op.getInput());
    int64_t axis = *nn::normalizeAxis(op.getAxis(), inType.getRank());
    SmallVector<Value> parts;
    int64_t offset = 0;
    for (Value result : op.getResults()) {
      auto type = typeOf(result);
      SmallVector<int64_t> offsets(type.getRank(), 0);
      offsets[axis] = offset;
      parts.push_back(tensor::ExtractSliceOp::create(
          rewriter, op.getLoc(), type, op.getInput(), indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, type.getShape()),
          indexAttrs(rewriter, SmallVector<int64_t>(type.getRank(), 1))));
      offset += type.getDimSize(axis);
    }
    rewriter.replaceOp(op, parts);
    return success();
  }
};

struct LowerGather : OpRewritePattern<nn::GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::GatherOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto dataType = typeOf(op.getData()), idxType = typeOf(op.getIndices());
    int64_t axis = *nn::normalizeAxis(op.getAxis(), dataType.getRank());
    int64_t idxRank = idxType.getRank(), axisSize = dataType.getDimSize(axis);
    Value data = op.getData(), indices = op.getIndices();
    Value result = indexedGenerate(
        rewriter, op.getLoc(), op.getType(),
        [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          SmallVector<Value> idxPos(iv.begin() + axis, iv.begin() + axis + idxRank);
          Value raw = tensor::ExtractOp::create(b, l, indices, idxPos);
          Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), raw);
          // Negative indices count from the end; out-of-range ones are clamped
          // so a bad index cannot read outside the tensor.
          Value size = indexConst(b, l, axisSize);
          Value isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, indexConst(b, l, 0));
          idx = arith::SelectOp::create(b, l, isNeg, arith::AddIOp::create(b, l, idx, size), idx);
          idx = arith::MaxSIOp::create(b, l, idx, indexConst(b, l, 0));
          idx = arith::MinSIOp::create(b, l, idx, indexConst(b, l, axisSize - 1));
          SmallVector<Value> pos(iv.begin(), iv.begin() + axis);
          pos.push_back(idx);
          pos.append(iv.begin() + axis + idxRank, iv.end());
          return tensor::ExtractOp::create(b, l, data, pos);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Shape and Size fold on static shapes; this covers what canonicalisation left.
template <typename OpTy>
struct LowerToFolded : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    SmallVector<Attribute> noConstants(op->getNumOperands());
    auto folded = dyn_cast_or_null<TypedAttr>(dyn_cast_if_present<Attribute>(
        op.fold(typename OpTy::FoldAdaptor(noConstants, op))));
    if (!folded)
      return op.emitError("needs a static shape to lower"), failure();
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, folded);
    return success();
  }
};

struct LowerConstantOfShape : OpRewritePattern<nn::ConstantOfShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConstantOfShapeOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    if (!value)
      return op.emitError("ConstantOfShape: value must be a dense constant"), failure();
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseElementsAttr::get(op.getType(), value.getSplatValue<Attribute>()));
    return success();
  }
};

struct LowerExpand : OpRewritePattern<nn::ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ExpandOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    rewriter.replaceOp(op, elementwise(rewriter, op.getLoc(), op.getType(), op.getInput(),
                                       [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
    return success();
  }
};

struct LowerTile : OpRewritePattern<nn::TileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TileOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto inType = typeOf(op.getInput());
    Value input = op.getInput();
    rewriter.replaceOp(op, indexedGenerate(rewriter, op.getLoc(), op.getType(),
                                           [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
                                             SmallVector<Value> pos;
                                             for (auto [i, v] : llvm::enumerate(iv))
                                               pos.push_back(arith::RemUIOp::create(
                                                   b, l, v, indexConst(b, l, inType.getDimSize(i))));
                                             return tensor::ExtractOp::create(b, l, input, pos);
                                           }));
    return success();
  }
};

struct LowerPad : OpRewritePattern<nn::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::PadOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto inType = typeOf(op.getInput());
    int64_t rank = inType.getRank();
    auto pads = op.getPads();
    Location loc = op.getLoc();
    Value input = op.getInput();
    if (op.getMode() == "constant" && llvm::all_of(pads, [](int64_t p) { return p >= 0; })) {
      rewriter.replaceOp(op, padConstant(rewriter, loc, input, pads.take_front(rank),
                                         pads.drop_front(rank), op.getValue().convertToDouble()));
      return success();
    }
    // Reflect, edge and cropping pads: each output element reads one input
    // element (or the constant).
    StringRef mode = op.getMode();
    double fill = op.getValue().convertToDouble();
    Type element = inType.getElementType();
    Value result = indexedGenerate(
        rewriter, loc, op.getType(), [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          SmallVector<Value> pos;
          Value inside = arith::ConstantIntOp::create(b, l, 1, 1);
          for (int64_t i = 0; i < rank; ++i) {
            int64_t d = inType.getDimSize(i);
            Value p = arith::SubIOp::create(b, l, iv[i], indexConst(b, l, pads[i]));
            Value zero = indexConst(b, l, 0), last = indexConst(b, l, d - 1);
            if (mode == "reflect") {
              // Mirror around 0 and d-1 (pads are smaller than d).
              Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, p, zero);
              p = arith::SelectOp::create(b, l, neg, arith::SubIOp::create(b, l, zero, p), p);
              Value over = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, p, last);
              Value mirrored = arith::SubIOp::create(
                  b, l, indexConst(b, l, 2 * (d - 1)), p);
              p = arith::SelectOp::create(b, l, over, mirrored, p);
            } else if (mode == "edge") {
              p = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, p, last), zero);
            } else {
              Value ge = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, p, zero);
              Value le = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, p, last);
              inside = arith::AndIOp::create(b, l, inside, arith::AndIOp::create(b, l, ge, le));
              p = arith::MaxSIOp::create(b, l, arith::MinSIOp::create(b, l, p, last), zero);
            }
            pos.push_back(p);
          }
          Value v = tensor::ExtractOp::create(b, l, input, pos);
          if (mode != "constant")
            return v;
          return arith::SelectOp::create(b, l, inside, v, scalarConstant(b, l, element, fill));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// Source coordinate of output index `o` on one axis, as ONNX Resize defines it.
Value sourceCoordinate(OpBuilder &b, Location l, Value o, StringRef mode, double scale,
                       int64_t in, int64_t out) {
  Type f32 = b.getF32Type();
  Value x = arith::UIToFPOp::create(b, l, f32, arith::IndexCastUIOp::create(b, l, b.getI64Type(), o));
  auto c = [&](double v) { return scalarConstant(b, l, f32, v); };
  if (mode == "asymmetric")
    return arith::DivFOp::create(b, l, x, c(scale));
  if (mode == "align_corners")
    return out == 1 ? c(0) : arith::MulFOp::create(b, l, x, c(double(in - 1) / double(out - 1)));
  // half_pixel, pytorch_half_pixel: (x + 0.5) / scale - 0.5.
  Value centre = arith::SubFOp::create(
      b, l, arith::DivFOp::create(b, l, arith::AddFOp::create(b, l, x, c(0.5)), c(scale)), c(0.5));
  if (mode == "pytorch_half_pixel" && out == 1)
    return c(0);
  return centre;
}

struct LowerResize : OpRewritePattern<nn::ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ResizeOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    StringRef coord = op.getCoordinateTransformationMode();
    if (coord != "asymmetric" && coord != "align_corners" && coord != "half_pixel" &&
        coord != "pytorch_half_pixel")
      return op.emitError("Resize: coordinate_transformation_mode '") << coord
             << "' is not supported", failure();
    auto inType = typeOf(op.getInput());
    auto outType = op.getType();
    int64_t rank = inType.getRank();
    auto scales = op.getScales();
    bool linear = op.getMode() == "linear";
    StringRef nearestMode = op.getNearestMode();
    Value input = op.getInput();
    Type element = inType.getElementType();
    Location loc = op.getLoc();
    Value result = indexedGenerate(
        rewriter, loc, outType, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          Type f32 = b.getF32Type();
          auto c = [&](double v) { return scalarConstant(b, l, f32, v); };
          auto toIndex = [&](Value f) {
            return arith::IndexCastOp::create(b, l, b.getIndexType(),
                                              arith::FPToSIOp::create(b, l, b.getI64Type(), f));
          };
          auto clampIndex = [&](Value i, int64_t d) -> Value {
            return arith::MaxSIOp::create(
                b, l, arith::MinSIOp::create(b, l, i, indexConst(b, l, d - 1)), indexConst(b, l, 0));
          };
          // Per axis: (low index, high index, weight of high) or a nearest index.
          SmallVector<Value> low, high, frac;
          for (int64_t i = 0; i < rank; ++i) {
            int64_t in = inType.getDimSize(i), out = outType.getDimSize(i);
            if (in == out && scales[i] == 1.0) {
              low.push_back(iv[i]);
              high.push_back(iv[i]);
              frac.push_back(Value());
              continue;
            }
            Value x = sourceCoordinate(b, l, iv[i], coord, scales[i], in, out);
            if (!linear) {
              Value r;
              if (nearestMode == "floor")
                r = math::FloorOp::create(b, l, x);
              else if (nearestMode == "ceil")
                r = math::CeilOp::create(b, l, x);
              else if (nearestMode == "round_prefer_ceil")
                r = math::FloorOp::create(b, l, arith::AddFOp::create(b, l, x, c(0.5)));
              else // round_prefer_floor
                r = math::CeilOp::create(b, l, arith::SubFOp::create(b, l, x, c(0.5)));
              Value idx = clampIndex(toIndex(r), in);
              low.push_back(idx);
              high.push_back(idx);
              frac.push_back(Value());
              continue;
            }
            x = arith::MaximumFOp::create(b, l, x, c(0));
            Value fl = math::FloorOp::create(b, l, x);
            Value lo = clampIndex(toIndex(fl), in);
            Value hi = clampIndex(arith::AddIOp::create(b, l, lo, indexConst(b, l, 1)), in);
            Value w = arith::SubFOp::create(b, l, x, fl);
            // Past the last sample the high weight goes to the clamped index.
            low.push_back(lo);
            high.push_back(hi);
            frac.push_back(w);
          }
          // Sum over the 2^k corners of the interpolated axes.
          SmallVector<int64_t> interp;
          for (int64_t i = 0; i < rank; ++i)
            if (frac[i])
              interp.push_back(i);
          Value acc = c(0);
          for (int64_t corner = 0; corner < (int64_t(1) << interp.size()); ++corner) {
            SmallVector<Value> pos(low);
            Value weight = c(1);
            for (auto [bit, axis] : llvm::enumerate(interp)) {
              bool useHigh = (corner >> bit) & 1;
              pos[axis] = useHigh ? high[axis] : low[axis];
              Value w = useHigh ? frac[axis] : arith::SubFOp::create(b, l, c(1), frac[axis]);
              weight = arith::MulFOp::create(b, l, weight, w);
            }
            Value v = tensor::ExtractOp::create(b, l, input, pos);
            if (!element.isF32())
              v = arith::ExtFOp::create(b, l, f32, v);
            acc = arith::AddFOp::create(b, l, acc, arith::MulFOp::create(b, l, v, weight));
          }
          if (!element.isF32())
            acc = arith::TruncFOp::create(b, l, element, acc);
          return acc;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerReshapeLike<nn::ReshapeOp>, LowerReshapeLike<nn::FlattenOp>,
               LowerReshapeLike<nn::SqueezeOp>, LowerReshapeLike<nn::UnsqueezeOp>,
               LowerTranspose, LowerSlice, LowerConcat, LowerSplit, LowerGather,
               LowerToFolded<nn::ShapeOp>, LowerToFolded<nn::SizeOp>, LowerConstantOfShape,
               LowerExpand, LowerTile, LowerPad, LowerResize>(ctx);
}

} // namespace openopt::lowering
