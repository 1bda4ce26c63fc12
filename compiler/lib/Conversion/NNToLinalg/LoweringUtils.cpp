//===- LoweringUtils.cpp - building blocks of the nn lowering -------------===//
#include "LoweringUtils.h"

#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <functional>
#include <limits>

using namespace mlir;

namespace openopt::lowering {

std::string describeLocation(Location loc, StringRef fallback) {
  std::string name, opType;
  std::function<void(Location)> visit = [&](Location l) {
    if (auto fused = dyn_cast<FusedLoc>(l)) {
      if (auto meta = dyn_cast_or_null<StringAttr>(fused.getMetadata()); meta && opType.empty())
        opType = meta.getValue().str();
      for (Location inner : fused.getLocations())
        visit(inner);
    } else if (auto named = dyn_cast<NameLoc>(l)) {
      if (name.empty())
        name = named.getName().getValue().str();
    } else if (auto callSite = dyn_cast<CallSiteLoc>(l)) {
      visit(callSite.getCallee());
    }
  };
  visit(loc);
  if (name.empty())
    return fallback.str();
  return (opType.empty() ? fallback.str() : opType) + " '" + name + "'";
}

Sizes sizesOf(OpBuilder &b, Location loc, Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

Value indexValue(OpBuilder &b, Location loc, OpFoldResult v) {
  return getValueOrCreateConstantIndexOp(b, loc, v);
}

Value indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

void runtimeCheck(OpBuilder &b, Location loc, Value condition, const llvm::Twine &message) {
  if (auto c = getConstantIntValue(condition); c && *c != 0)
    return;
  cf::AssertOp::create(b, loc, condition, describeLocation(loc) + ": " + message.str());
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type, ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(indexValue(b, loc, sizes[i]));
  return tensor::EmptyOp::create(b, loc, type, dynamic);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  return linalg::FillOp::create(b, loc, value, emptyTensor(b, loc, type)).getResult(0);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, ArrayRef<OpFoldResult> sizes,
                   Value value) {
  return linalg::FillOp::create(b, loc, value, emptyTensor(b, loc, type, sizes)).getResult(0);
}

Sizes broadcastSizes(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange operands) {
  int64_t rank = resultType.getRank();
  Sizes sizes;
  for (int64_t i = 0; i < rank; ++i) {
    if (!resultType.isDynamicDim(i)) {
      sizes.push_back(b.getIndexAttr(resultType.getDimSize(i)));
      continue;
    }
    Value chosen;
    for (auto [k, v] : llvm::enumerate(operands)) {
      auto type = cast<RankedTensorType>(v.getType());
      int64_t d = i - (rank - type.getRank());
      if (d < 0 || !type.isDynamicDim(d))
        continue;
      Value size = tensor::DimOp::create(b, loc, v, d);
      if (!chosen) {
        chosen = size;
        continue;
      }
      Value same = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, chosen);
      runtimeCheck(b, loc, same,
                   "operand " + llvm::Twine(k) + " has a different size in dimension " +
                       llvm::Twine(d) + " than operand 0 at run time (sizes known only at "
                       "run time must be equal; they do not broadcast)");
    }
    sizes.push_back(chosen ? OpFoldResult(chosen) : OpFoldResult(b.getIndexAttr(1)));
  }
  return sizes;
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
  Value init = resultType.hasStaticShape()
                   ? emptyTensor(b, loc, resultType)
                   : emptyTensor(b, loc, resultType, broadcastSizes(b, loc, resultType, operands));
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, operands, init, maps, iterators,
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

Value extremeConstant(OpBuilder &b, Location loc, Type type, bool lowest) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(f, APFloat::getInf(f.getFloatSemantics(), lowest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = type.isUnsignedInteger() || width == 1
                    ? (lowest ? APInt::getMinValue(width) : APInt::getMaxValue(width))
                    : (lowest ? APInt::getSignedMinValue(width) : APInt::getSignedMaxValue(width));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<bool> reduced,
             bool keepDims, double init, BodyBuilder combine) {
  auto type = cast<RankedTensorType>(input.getType());
  return reduce(b, loc, input, reduced, keepDims,
                scalarConstant(b, loc, type.getElementType(), init), combine);
}

Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<bool> reduced,
             bool keepDims, Value init, BodyBuilder combine) {
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
  Sizes inSizes = sizesOf(b, loc, input), keptSizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!reduced[i])
      keptSizes.push_back(inSizes[i]);
  Value acc = filledTensor(b, loc, outType, keptSizes, init);
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
  SmallVector<int64_t> unitAxes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (reduced[i])
      unitAxes.push_back(i);
  return insertUnitAxes(b, loc, result, unitAxes);
}

Value indexedGenerate(OpBuilder &b, Location loc, RankedTensorType resultType,
                      llvm::function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> body) {
  return indexedGenerate(b, loc, resultType, Sizes(resultType.getRank(), b.getIndexAttr(0)), body);
}

Value indexedGenerate(OpBuilder &b, Location loc, RankedTensorType resultType,
                      ArrayRef<OpFoldResult> sizes,
                      llvm::function_ref<Value(OpBuilder &, Location, ArrayRef<Value>)> body) {
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{}, emptyTensor(b, loc, resultType, sizes),
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

Value productOf(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes) {
  Value product = indexConstant(b, loc, 1);
  for (OpFoldResult s : sizes)
    product = arith::MulIOp::create(b, loc, product, indexValue(b, loc, s));
  return product;
}

Value reshapeToSizes(OpBuilder &b, Location loc, Value value, RankedTensorType type,
                     ArrayRef<OpFoldResult> sizes) {
  auto inType = cast<RankedTensorType>(value.getType());
  if (inType.hasStaticShape() && type.hasStaticShape())
    return reshapeTo(b, loc, value, type.getShape());
  if (inType == type && inType.getRank() <= 1)
    return value;
  Value count = productOf(b, loc, sizesOf(b, loc, value));
  Value newCount = productOf(b, loc, sizes);
  runtimeCheck(b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count, newCount),
               "the new shape does not hold as many elements as the input at run time");
  SmallVector<Value> dims;
  for (OpFoldResult s : sizes)
    dims.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(), indexValue(b, loc, s)));
  Value shape = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({(int64_t)dims.size()}, b.getI64Type()), dims);
  return tensor::ReshapeOp::create(b, loc, type, value, shape);
}

Value insertUnitAxes(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> axes) {
  if (axes.empty())
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank() + axes.size();
  SmallVector<int64_t> shape;
  Sizes in = sizesOf(b, loc, value), out;
  for (int64_t i = 0, src = 0; i < rank; ++i) {
    if (llvm::is_contained(axes, i)) {
      shape.push_back(1);
      out.push_back(b.getIndexAttr(1));
    } else {
      shape.push_back(type.getDimSize(src));
      out.push_back(in[src++]);
    }
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  if (type.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, resultType, value,
                                         ArrayRef<ReassociationIndices>{}, out);
  // Each group holds one source axis and the unit axes before it; trailing
  // unit axes join the last group.
  SmallVector<ReassociationIndices> fixed;
  ReassociationIndices pending;
  for (int64_t i = 0; i < rank; ++i) {
    pending.push_back(i);
    if (!llvm::is_contained(axes, i)) {
      fixed.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty())
    fixed.back().append(pending.begin(), pending.end());
  return tensor::ExpandShapeOp::create(b, loc, resultType, value, fixed, out);
}

Value dropUnitAxes(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> axes) {
  if (axes.empty())
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(axes, i))
      shape.push_back(type.getDimSize(i));
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  // A static size-1 axis may be dynamic in the type only; cast it static first.
  if (llvm::any_of(axes, [&](int64_t a) { return type.isDynamicDim(a); })) {
    SmallVector<int64_t> known(type.getShape());
    for (int64_t a : axes)
      known[a] = 1;
    value = tensor::CastOp::create(b, loc, RankedTensorType::get(known, type.getElementType()),
                                   value);
  }
  if (shape.empty())
    return tensor::CollapseShapeOp::create(b, loc, resultType, value,
                                           ArrayRef<ReassociationIndices>{});
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t i = 0; i < rank; ++i) {
    pending.push_back(i);
    if (!llvm::is_contained(axes, i)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty())
    groups.back().append(pending.begin(), pending.end());
  return tensor::CollapseShapeOp::create(b, loc, resultType, value, groups);
}

FailureOr<Value> lowerPerSample(Operation *op, PatternRewriter &rewriter) {
  if (op->getNumResults() != 1 || op->getNumOperands() == 0)
    return failure();
  auto inType = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto outType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!inType || !outType || inType.getRank() == 0 || outType.getRank() == 0 ||
      !inType.isDynamicDim(0) || !outType.isDynamicDim(0))
    return failure();
  auto staticAfterBatch = [](RankedTensorType t) {
    return llvm::none_of(t.getShape().drop_front(), ShapedType::isDynamic);
  };
  if (!staticAfterBatch(inType) || !staticAfterBatch(outType))
    return failure();
  for (Value operand : op->getOperands().drop_front())
    if (auto t = dyn_cast<RankedTensorType>(operand.getType()); t && !t.hasStaticShape())
      return failure();
  Location loc = op->getLoc();
  Value input = op->getOperand(0);
  Value n = tensor::DimOp::create(rewriter, loc, input, 0);
  Value init = emptyTensor(rewriter, loc, outType, Sizes{n});
  auto sliceType = [](RankedTensorType t) {
    SmallVector<int64_t> shape(t.getShape());
    shape[0] = 1;
    return RankedTensorType::get(shape, t.getElementType());
  };
  auto unitSlice = [&](OpBuilder &b, RankedTensorType t, Value iv) {
    Sizes offsets(t.getRank(), b.getIndexAttr(0)), sizes, strides(t.getRank(), b.getIndexAttr(1));
    offsets[0] = iv;
    for (int64_t d : sliceType(t).getShape())
      sizes.push_back(b.getIndexAttr(d));
    return std::make_tuple(offsets, sizes, strides);
  };
  auto loop = scf::ForOp::create(
      rewriter, loc, indexConstant(rewriter, loc, 0), n, indexConstant(rewriter, loc, 1),
      ValueRange{init}, [&](OpBuilder &b, Location l, Value iv, ValueRange acc) {
        auto [inOffsets, inSizes, inStrides] = unitSlice(b, inType, iv);
        Value sample = tensor::ExtractSliceOp::create(b, l, sliceType(inType), input, inOffsets,
                                                      inSizes, inStrides);
        IRMapping mapping;
        mapping.map(input, sample);
        Operation *clone = b.clone(*op, mapping);
        clone->getResult(0).setType(sliceType(outType));
        auto [outOffsets, outSizes, outStrides] = unitSlice(b, outType, iv);
        Value updated = tensor::InsertSliceOp::create(b, l, clone->getResult(0), acc[0],
                                                      outOffsets, outSizes, outStrides);
        scf::YieldOp::create(b, l, updated);
      });
  return loop.getResult(0);
}

static RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

SmallVector<Value> loopNest(OpBuilder &b, Location loc, ArrayRef<Value> upperBounds,
                            ValueRange init, LoopBody body) {
  if (upperBounds.empty())
    return body(b, loc, ValueRange{}, init);
  SmallVector<Value> lbs(upperBounds.size(), indexConstant(b, loc, 0));
  SmallVector<Value> steps(upperBounds.size(), indexConstant(b, loc, 1));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, upperBounds, steps, init,
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange args) -> scf::ValueVector {
        return body(nb, l, ivs, args);
      });
  return SmallVector<Value>(nest.results);
}

SmallVector<Value> forLoop(OpBuilder &b, Location loc, Value lb, Value ub, ValueRange init,
                           LoopBody body) {
  return forLoop(b, loc, lb, ub, indexConstant(b, loc, 1), init, body);
}

SmallVector<Value> forLoop(OpBuilder &b, Location loc, Value lb, Value ub, Value step,
                           ValueRange init, LoopBody body) {
  auto loop = scf::ForOp::create(b, loc, lb, ub, step, init,
                                 [&](OpBuilder &nb, Location l, Value iv, ValueRange args) {
                                   scf::YieldOp::create(nb, l, body(nb, l, iv, args));
                                 });
  return SmallVector<Value>(loop.getResults());
}

Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = typeOf(tensor);
  SmallVector<Value> zeros(type.getRank(), indexConstant(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

Value extractIndexAt(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  auto type = typeOf(tensor);
  SmallVector<Value> pos(type.getRank(), indexConstant(b, loc, 0));
  if (type.getRank() > 0)
    pos.back() = indexConstant(b, loc, i);
  Value v = tensor::ExtractOp::create(b, loc, tensor, pos);
  if (isa<FloatType>(v.getType()))
    v = arith::FPToSIOp::create(b, loc, b.getI64Type(), v);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

// x / count, element-wise, for means.
Value divideBy(OpBuilder &b, Location loc, Value v, double count) {
  auto type = typeOf(v);
  return elementwise(b, loc, type, v, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::MulFOp::create(nb, l, a[0],
                                 scalarConstant(nb, l, type.getElementType(), 1.0 / count));
  });
}

SmallVector<bool> axesMask(int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<bool> mask(rank, axes.empty());
  for (int64_t a : axes)
    mask[*nn::normalizeAxis(a, rank)] = true;
  return mask;
}

int64_t reducedCount(RankedTensorType type, ArrayRef<bool> mask) {
  int64_t count = 1;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (mask[i])
      count *= type.getDimSize(i);
  return count;
}

// x / (the number of elements the mask covers), known at compile time or not.
Value divideByCount(OpBuilder &b, Location loc, Value v, Value input, ArrayRef<bool> mask) {
  auto inType = typeOf(input);
  bool known = true;
  for (int64_t i = 0; i < inType.getRank(); ++i)
    known &= !mask[i] || !inType.isDynamicDim(i);
  if (known)
    return divideBy(b, loc, v, reducedCount(inType, mask));
  Sizes sizes = sizesOf(b, loc, input), reduced;
  for (int64_t i = 0; i < inType.getRank(); ++i)
    if (mask[i])
      reduced.push_back(sizes[i]);
  auto type = typeOf(v);
  Type element = type.getElementType();
  Value count = arith::IndexCastOp::create(b, loc, b.getI64Type(), productOf(b, loc, reduced));
  Value countF = arith::SIToFPOp::create(b, loc, element, count);
  return elementwise(b, loc, type, v, [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
    return arith::DivFOp::create(nb, l, a[0], countF);
  });
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
    shape.push_back(type.isDynamicDim(i) ? ShapedType::kDynamic
                                         : type.getDimSize(i) + low[i] + high[i]);
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
  if (c >= kChannelsPaddedInPlace) {
    // A pad of the tensor itself: openopt-decompose-pads fills the border
    // and the op that computes `v` writes the interior, with no copy.
    SmallVector<int64_t> lo = {0}, hi = {0};
    llvm::append_range(lo, low);
    llvm::append_range(hi, high);
    lo.push_back(0);
    hi.push_back(0);
    return padConstant(b, loc, v, lo, hi, value);
  }
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

namespace openopt::lowering {
Value plusConstant(OpBuilder &b, Location loc, Value v, int64_t k) {
  return k ? arith::AddIOp::create(b, loc, v, indexConstant(b, loc, k)).getResult() : v;
}

Value scaledIndex(OpBuilder &b, Location loc, Value v, int64_t stride, int64_t offset) {
  if (stride != 1)
    v = arith::MulIOp::create(b, loc, v, indexConstant(b, loc, stride));
  return plusConstant(b, loc, v, offset);
}

Value forEachRowChunk(OpBuilder &b, Location loc, RankedTensorType resultType, int64_t rowAxis,
                      int64_t rowsPerChunk,
                      llvm::function_ref<Value(OpBuilder &, Location, Value)> chunk) {
  int64_t rank = resultType.getRank();
  auto forall = scf::ForallOp::create(
      b, loc,
      ArrayRef<OpFoldResult>{b.getIndexAttr(resultType.getDimSize(rowAxis) / rowsPerChunk)},
      ValueRange{emptyTensor(b, loc, resultType)}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value firstRow = scaledIndex(b, loc, forall.getInductionVar(0), rowsPerChunk, 0);
  Value value = chunk(b, loc, firstRow);
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes;
  offsets[rowAxis] = firstRow;
  for (int64_t i = 0; i < rank; ++i)
    sizes.push_back(b.getIndexAttr(i == rowAxis ? rowsPerChunk : resultType.getDimSize(i)));
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, value, forall.getRegionIterArgs()[0], offsets,
                                        sizes, SmallVector<OpFoldResult>(rank, b.getIndexAttr(1)));
  return forall.getResult(0);
}

namespace {
// The indices i < size with 0 <= 2i + phase - pad < extent: [first, end).
// Both numerators are non-negative (pad >= 0, phase <= 1, extent >= 1),
// so integer division rounds down: (extent - 1 + pad - phase) / 2 + 1
// would round -1 / 2 up to 0 for a 1-wide input without padding.
std::pair<int64_t, int64_t> inside(int64_t phase, int64_t pad, int64_t extent, int64_t size) {
  int64_t first = std::min<int64_t>(size, (pad - phase + 1) / 2);
  int64_t end = std::max<int64_t>(first, std::min<int64_t>(size, (extent + pad - phase + 1) / 2));
  return std::make_pair(first, end);
}

// `piece` [N, C, planes, rows, cols] inserted into `planes` from (plane,
// row, col) on.
Value insertPlanePiece(OpBuilder &b, Location loc, Value piece, Value planes, int64_t plane,
                       int64_t row, int64_t col) {
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0),
                                       b.getIndexAttr(plane), b.getIndexAttr(row),
                                       b.getIndexAttr(col)};
  SmallVector<OpFoldResult> sizes;
  for (int64_t d : cast<RankedTensorType>(piece.getType()).getShape())
    sizes.push_back(b.getIndexAttr(d));
  return tensor::InsertSliceOp::create(b, loc, piece, planes, offsets, sizes,
                                       SmallVector<OpFoldResult>(5, b.getIndexAttr(1)));
}

// How the columns of the planes of one row parity `py` are made, for an
// input `w` wide with `padLeft` columns of padding: per plane, `rowFill`
// (the rows outside the input, if any), the padding columns on each side
// (`columnFill(plane, col, cols)`) and the columns only that plane has
// (`copy(px0, planeCount, j0, j1)`, at most one on each side); then one copy
// of the columns both planes have, so that a pass reads each input row
// once.
void forEachPlaneColumnPiece(int64_t py, int64_t padLeft, int64_t w, int64_t planeW,
                             llvm::function_ref<void(int64_t plane)> rowFill,
                             llvm::function_ref<void(int64_t plane, int64_t col, int64_t cols)>
                                 columnFill,
                             llvm::function_ref<void(int64_t px0, int64_t planeCount, int64_t j0,
                                                     int64_t j1)>
                                 copy) {
  auto [e0, e1] = inside(0, padLeft, w, planeW); // columns of the even planes
  auto [o0, o1] = inside(1, padLeft, w, planeW); // and of the odd ones
  int64_t both0 = std::max(e0, o0), both1 = std::max(both0, std::min(e1, o1));
  for (int64_t px = 0; px < 2; ++px) {
    int64_t plane = 2 * py + px;
    auto [j0, j1] = px == 0 ? std::make_pair(e0, e1) : std::make_pair(o0, o1);
    rowFill(plane);
    if (j0 > 0)
      columnFill(plane, 0, j0);
    if (planeW > j1)
      columnFill(plane, j1, planeW - j1);
    if (std::min(j1, both0) > j0)
      copy(px, 1, j0, std::min(j1, both0));
    if (j1 > std::max(j0, both1))
      copy(px, 1, std::max(j0, both1), j1);
  }
  if (both1 > both0)
    copy(0, 2, both0, both1);
}

Value planesOf(OpBuilder &b, Location loc, Value input, int64_t padTop, int64_t padLeft,
               int64_t planeH, int64_t planeW, double padValue) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1), h = inType.getDimSize(2),
          w = inType.getDimSize(3);
  Type element = inType.getElementType();
  MLIRContext *ctx = b.getContext();
  // Each plane's rectangle of elements that fall inside the input is
  // copied by a generic whose read is affine, (2i + py - padTop,
  // 2j + px - padLeft): its inner loop is a stride-2 read that LLVM
  // vectorizes as wide loads and shuffles. Deciding the padding element by
  // element (a clamped, masked read) did not vectorize. Only the border
  // around the rectangle is filled. Every piece is written into its place
  // in the planes (eliminate-empty-tensors), with no copy.
  auto planesType = RankedTensorType::get({n, c, 4, planeH, planeW}, element);
  Value planes = emptyTensor(b, loc, planesType);
  Value pad = scalarConstant(b, loc, element, padValue);
  auto place = [&](Value piece, int64_t plane, int64_t row, int64_t col) {
    planes = insertPlanePiece(b, loc, piece, planes, plane, row, col);
  };
  auto fill = [&](int64_t plane, int64_t row, int64_t rows, int64_t col, int64_t cols) {
    if (rows > 0 && cols > 0)
      place(filledTensor(b, loc, RankedTensorType::get({n, c, 1, rows, cols}, element), pad),
            plane, row, col);
  };
  // Copies rows [i0, i1) x columns [j0, j1) of `count` planes from plane
  // 2py + px0 on: one generic over (n, c, i, j, px), px innermost, so that
  // two planes of one row parity take each input row in a single pass
  // (LLVM unrolls px and reads the pairs with wide loads and shuffles).
  auto copy = [&](int64_t py, int64_t px0, int64_t count, int64_t i0, int64_t i1, int64_t j0,
                  int64_t j1) {
    if (i1 <= i0 || j1 <= j0)
      return;
    auto pieceType = RankedTensorType::get({n, c, count, i1 - i0, j1 - j0}, element);
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx),
               i = getAffineDimExpr(2, ctx), j = getAffineDimExpr(3, ctx),
               px = getAffineDimExpr(4, ctx);
    AffineMap read = AffineMap::get(
        5, 0, {d0, d1, i * 2 + (2 * i0 + py - padTop), j * 2 + px + (2 * j0 + px0 - padLeft)},
        ctx);
    AffineMap write = AffineMap::get(5, 0, {d0, d1, px, i, j}, ctx);
    Value piece =
        linalg::GenericOp::create(b, loc, pieceType, ValueRange{input},
                                  ValueRange{emptyTensor(b, loc, pieceType)}, {read, write},
                                  SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
                                  [](OpBuilder &nb, Location l, ValueRange args) {
                                    linalg::YieldOp::create(nb, l, args[0]);
                                  })
            .getResult(0);
    place(piece, 2 * py + px0, i0, j0);
  };
  for (int64_t py = 0; py < 2; ++py) {
    auto [i0, i1] = inside(py, padTop, h, planeH);
    forEachPlaneColumnPiece(
        py, padLeft, w, planeW,
        [&](int64_t plane) {
          fill(plane, 0, i0, 0, planeW);
          fill(plane, i1, planeH - i1, 0, planeW);
        },
        [&](int64_t plane, int64_t col, int64_t cols) { fill(plane, i0, i1 - i0, col, cols); },
        [&](int64_t px0, int64_t planeCount, int64_t j0, int64_t j1) {
          copy(py, px0, planeCount, i0, i1, j0, j1);
        });
  }
  return planes;
}
} // namespace

Value polyphasePlanes(OpBuilder &b, Location loc, Value input, int64_t padTop, int64_t padLeft,
                      int64_t planeH, int64_t planeW, double padValue) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  if (c % 2 != 0)
    return planesOf(b, loc, input, padTop, padLeft, planeH, planeW, padValue);
  // Two halves of the channels in a parallel loop: the copies and fills of
  // a half run on one thread, one parallel region for them all (each piece
  // its own region cost more than it saved at 2 threads).
  auto planesType = RankedTensorType::get({n, c, 4, planeH, planeW}, inType.getElementType());
  return forEachRowChunk(b, loc, planesType, /*rowAxis=*/1, c / 2,
                         [&](OpBuilder &nb, Location nloc, Value firstChannel) {
                           SmallVector<OpFoldResult> offsets = {nb.getIndexAttr(0), firstChannel,
                                                                nb.getIndexAttr(0),
                                                                nb.getIndexAttr(0)};
                           SmallVector<OpFoldResult> sizes = {
                               nb.getIndexAttr(n), nb.getIndexAttr(c / 2),
                               nb.getIndexAttr(inType.getDimSize(2)),
                               nb.getIndexAttr(inType.getDimSize(3))};
                           Value half = tensor::ExtractSliceOp::create(
                               nb, nloc, input, offsets, sizes,
                               SmallVector<OpFoldResult>(4, nb.getIndexAttr(1)));
                           return planesOf(nb, nloc, half, padTop, padLeft, planeH, planeW,
                                           padValue);
                         });
}

Value polyphasePlaneRows(OpBuilder &b, Location loc, Value input, Value firstRow, int64_t count,
                         int64_t padTop, int64_t padLeft, int64_t planeW, double padValue) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1), h = inType.getDimSize(2);
  Type element = inType.getElementType();
  constexpr int64_t kRun = 32, kHalf = kRun / 2;
  auto runType = VectorType::get({kRun}, element);
  int64_t runs = (planeW + kHalf - 1) / kHalf;
  // Image column x is padded column x + padLeft: the even columns of run k
  // go to plane column px = padLeft % 2 from j = 16 k + padLeft / 2, the
  // odd ones to px = 1 - padLeft % 2 from j = 16 k + (padLeft + 1) / 2.
  // The columns before those starts are the left padding.
  int64_t evenPlane = padLeft % 2, oddPlane = 1 - evenPlane;
  int64_t evenStart = padLeft / 2, oddStart = (padLeft + 1) / 2;
  auto planesType = RankedTensorType::get({n, c, 4, count, planeW}, element);
  return loopNest(
      b, loc,
      {indexConstant(b, loc, n), indexConstant(b, loc, c), indexConstant(b, loc, count)},
      ValueRange{emptyTensor(b, loc, planesType)},
      [&](OpBuilder &nb, Location nloc, ValueRange ivs, ValueRange args) {
        Value image = ivs[0], ch = ivs[1], i = ivs[2], zero = indexConstant(nb, nloc, 0);
        Value pad = scalarConstant(nb, nloc, element, padValue);
        Value pads = vector::BroadcastOp::create(nb, nloc, runType, pad);
        Value lastRow = indexConstant(nb, nloc, h - 1);
        Value planes = args[0];
        auto write = [&](Value v, int64_t plane, int64_t j) {
          int64_t size = cast<VectorType>(v.getType()).getNumElements();
          planes = vector::TransferWriteOp::create(
                       nb, nloc, v, planes,
                       ValueRange{image, ch, indexConstant(nb, nloc, plane), i,
                                  indexConstant(nb, nloc, j)},
                       ArrayRef<bool>{j + size <= planeW})
                       .getResult();
        };
        for (int64_t py = 0; py < 2; ++py) {
          Value row = scaledIndex(nb, nloc, arith::AddIOp::create(nb, nloc, firstRow, i), 2,
                                  py - padTop);
          Value inside = arith::AndIOp::create(
              nb, nloc, arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::sge, row, zero),
              arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::sle, row, lastRow));
          Value clamped = arith::MaxSIOp::create(
              nb, nloc, zero, arith::MinSIOp::create(nb, nloc, row, lastRow));
          for (int64_t k = 0; k < runs; ++k) {
            Value run = vector::TransferReadOp::create(
                nb, nloc, runType, input,
                ValueRange{image, ch, clamped, indexConstant(nb, nloc, k * kRun)}, pad,
                ArrayRef<bool>{false});
            run = arith::SelectOp::create(nb, nloc, inside, run, pads);
            auto halves = vector::DeinterleaveOp::create(nb, nloc, run);
            if (k * kHalf + evenStart < planeW)
              write(halves.getResult(0), 2 * py + evenPlane, k * kHalf + evenStart);
            if (k * kHalf + oddStart < planeW)
              write(halves.getResult(1), 2 * py + oddPlane, k * kHalf + oddStart);
          }
          for (auto [plane, start] : {std::make_pair(evenPlane, evenStart),
                                      std::make_pair(oddPlane, oddStart)})
            if (int64_t width = std::min(start, planeW); width > 0)
              write(vector::BroadcastOp::create(nb, nloc, VectorType::get({width}, element), pad),
                    2 * py + plane, 0);
        }
        return SmallVector<Value>{planes};
      })[0];
}

Value permuted(OpBuilder &b, Location loc, Value source, ArrayRef<int64_t> perm, Value bias,
               int64_t biasAxis) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape;
  for (int64_t axis : perm)
    shape.push_back(type.getDimSize(axis));
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  MLIRContext *ctx = b.getContext();
  // The loops are the result's axes; source axis perm[d] is loop d.
  SmallVector<AffineExpr> sourceExprs(perm.size());
  for (auto [d, axis] : llvm::enumerate(perm))
    sourceExprs[axis] = getAffineDimExpr(d, ctx);
  SmallVector<AffineMap> maps = {AffineMap::get(perm.size(), 0, sourceExprs, ctx)};
  SmallVector<Value> inputs = {source};
  if (bias) {
    maps.push_back(AffineMap::get(perm.size(), 0, {getAffineDimExpr(biasAxis, ctx)}, ctx));
    inputs.push_back(bias);
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(perm.size(), ctx));
  SmallVector<utils::IteratorType> iterators(perm.size(), utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{emptyTensor(b, loc, resultType)},
             maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value v = args[0];
               if (bias)
                 v = arith::AddFOp::create(nb, nloc, v, args[1]);
               linalg::YieldOp::create(nb, nloc, v);
             })
      .getResult(0);
}

} // namespace openopt::lowering
