//===- LoweringUtils.cpp - building blocks of the nn lowering -------------===//
#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;

namespace openopt::lowering {

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  return linalg::FillOp::create(b, loc, value, emptyTensor(b, loc, type)).getResult(0);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, value));
  if (type.isInteger(1))
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(value != 0));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, (int64_t)value));
}

AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape) {
  size_t offset = resultShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (size_t i = 0; i < operandShape.size(); ++i) {
    bool broadcast = operandShape[i] == 1 && resultShape[offset + i] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                              : getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange operands, BodyBuilder body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : operands)
    maps.push_back(broadcastMap(ctx, cast<RankedTensorType>(v.getType()).getShape(),
                                resultType.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, operands, emptyTensor(b, loc, resultType), maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

Value reshapeTo(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  auto target = RankedTensorType::get(shape, type.getElementType());
  // Rank-0 on either side: collapse everything / expand from nothing.
  Value flat = value;
  if (type.getRank() != 1) {
    SmallVector<ReassociationIndices> all;
    if (type.getRank() > 0) {
      all.emplace_back();
      for (int64_t i = 0; i < type.getRank(); ++i)
        all.back().push_back(i);
    }
    auto flatType = RankedTensorType::get(
        type.getRank() == 0 ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{type.getNumElements()},
        type.getElementType());
    if (type.getRank() == 0) {
      flatType = RankedTensorType::get({1}, type.getElementType());
      flat = tensor::ExpandShapeOp::create(b, loc, flatType, value,
                                           ArrayRef<ReassociationIndices>{});
    } else {
      flat = tensor::CollapseShapeOp::create(b, loc, flatType, value, all);
    }
  }
  if (target.getRank() == 1)
    return flat;
  SmallVector<ReassociationIndices> all;
  if (target.getRank() > 0) {
    all.emplace_back();
    for (int64_t i = 0; i < target.getRank(); ++i)
      all.back().push_back(i);
    return tensor::ExpandShapeOp::create(b, loc, target, flat, all);
  }
  return tensor::CollapseShapeOp::create(b, loc, target, flat,
                                         ArrayRef<ReassociationIndices>{});
}

Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<bool> reduced,
             bool keepDims, double init, BodyBuilder combine) {
  auto type = cast<RankedTensorType>(input.getType());
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> kept;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    iterators.push_back(reduced[i] ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    if (!reduced[i]) {
      kept.push_back(type.getDimSize(i));
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  auto outType = RankedTensorType::get(kept, type.getElementType());
  Value acc = filledTensor(b, loc, outType,
                           scalarConstant(b, loc, type.getElementType(), init));
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(type.getRank()),
                                 AffineMap::get(type.getRank(), 0, outExprs, ctx)};
  Value result =
      linalg::GenericOp::create(
          b, loc, outType, input, acc, maps, iterators,
          [&](OpBuilder &nb, Location nloc, ValueRange args) {
            linalg::YieldOp::create(nb, nloc, combine(nb, nloc, {args[1], args[0]}));
          })
          .getResult(0);
  if (!keepDims)
    return result;
  SmallVector<int64_t> keptShape;
  for (int64_t i = 0; i < type.getRank(); ++i)
    keptShape.push_back(reduced[i] ? 1 : type.getDimSize(i));
  return reshapeTo(b, loc, result, keptShape);
}

Value indexedGenerate(OpBuilder &b, Location loc, RankedTensorType resultType,
                      llvm::function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> body) {
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{}, emptyTensor(b, loc, resultType),
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(resultType.getRank())},
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange) {
               SmallVector<Value> indices;
               for (int64_t i = 0; i < resultType.getRank(); ++i)
                 indices.push_back(linalg::IndexOp::create(nb, nloc, i));
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, indices));
             })
      .getResult(0);
}

double lowestFloat() { return -std::numeric_limits<double>::infinity(); }

LogicalResult requireStaticShapes(Operation *op, PatternRewriter &rewriter) {
  auto isStatic = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return !shaped || shaped.hasStaticShape();
  };
  if (llvm::all_of(op->getOperandTypes(), isStatic) &&
      llvm::all_of(op->getResultTypes(), isStatic))
    return success();
  op->emitError("dynamic shapes must be specialised before lowering "
                "(run with concrete inputs)");
  return failure();
}

} // namespace openopt::lowering

namespace openopt::lowering {
Value padConstant(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> low,
                  ArrayRef<int64_t> high, double value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return v;
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> lo, hi;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    shape.push_back(type.getDimSize(i) + low[i] + high[i]);
    lo.push_back(b.getIndexAttr(low[i]));
    hi.push_back(b.getIndexAttr(high[i]));
  }
  auto outType = RankedTensorType::get(shape, type.getElementType());
  Value padValue = scalarConstant(b, loc, type.getElementType(), value);
  return tensor::PadOp::create(b, loc, outType, v, lo, hi, padValue);
}

Value padChannelsLast(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> low,
                      ArrayRef<int64_t> high, double value) {
  auto type = cast<RankedTensorType>(v.getType());
  int64_t rank = type.getRank(), c = type.getDimSize(rank - 1);
  SmallVector<int64_t> rows(type.getShape().drop_back());
  rows.back() *= c;
  SmallVector<int64_t> lo = {0}, hi = {0};
  llvm::append_range(lo, low);
  llvm::append_range(hi, high);
  lo.back() *= c;
  hi.back() *= c;
  Value padded = padConstant(b, loc, reshapeTo(b, loc, v, rows), lo, hi, value);
  SmallVector<int64_t> shape(cast<RankedTensorType>(padded.getType()).getShape());
  shape.back() /= c;
  shape.push_back(c);
  return reshapeTo(b, loc, padded, shape);
}
} // namespace openopt::lowering
