//===- IndexingShapes.cpp - result types of gathers, scatters, sorts ------===//
//
// inferReturnTypes of the ops in NNIndexingOps.td and the other ops added
// for the ONNX conformance suite (arg reductions, losses, recognisers of
// value-dependent shapes). Errors are phrased in ONNX terms.
//
//===----------------------------------------------------------------------===//
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace openopt::nn {
namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;
RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type element) {
  return RankedTensorType::get(shape, element);
}
RankedTensorType rankedOf(Value v) { return cast<RankedTensorType>(v.getType()); }
Type i64(MLIRContext *ctx) { return IntegerType::get(ctx, 64); }

// A scalar (or one-element) integer operand's value when it is constant.
std::optional<int64_t> constantScalar(Value v) {
  auto ints = getConstantInts(v);
  if (!ints || ints->size() != 1)
    return std::nullopt;
  return (*ints)[0];
}
} // namespace

LogicalResult IsNaNOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  results.push_back(tensorOf(rankedOf(adaptor.getInput()).getShape(), IntegerType::get(ctx, 1)));
  return success();
}

LogicalResult IsInfOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  results.push_back(tensorOf(rankedOf(adaptor.getInput()).getShape(), IntegerType::get(ctx, 1)));
  return success();
}

static LogicalResult inferArgReduce(MLIRContext *ctx, std::optional<Location> loc,
                                    StringRef name, Value input, int64_t axis, bool keepdims,
                                    SmallVectorImpl<Type> &results) {
  auto type = rankedOf(input);
  auto norm = normalizeAxis(axis, type.getRank());
  if (!norm)
    return emitOptionalError(loc, name, ": axis ", axis, " is out of range for rank ",
                             type.getRank());
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (i != *norm)
      shape.push_back(type.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  results.push_back(tensorOf(shape, i64(ctx)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferArgReduce(ctx, loc, "ArgMax", adaptor.getInput(), adaptor.getAxis(),
                        adaptor.getKeepdims() != 0, results);
}

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferArgReduce(ctx, loc, "ArgMin", adaptor.getInput(), adaptor.getAxis(),
                        adaptor.getKeepdims() != 0, results);
}

LogicalResult NllLossOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput()), target = rankedOf(adaptor.getTarget());
  if (input.getRank() < 2 || target.getRank() != input.getRank() - 1)
    return emitOptionalError(loc, "NegativeLogLikelihoodLoss: input must be [N, C, d...] and "
                             "target [N, d...], got ", formatShape(input.getShape()), " and ",
                             formatShape(target.getShape()));
  StringRef reduction = adaptor.getReduction();
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return emitOptionalError(loc, "NegativeLogLikelihoodLoss: reduction '", reduction,
                             "' is not one of none, sum, mean");
  if (reduction == "none") {
    SmallVector<int64_t> shape = {input.getDimSize(0)};
    llvm::append_range(shape, input.getShape().drop_front(2));
    results.push_back(tensorOf(shape, input.getElementType()));
  } else {
    results.push_back(tensorOf({}, input.getElementType()));
  }
  return success();
}

LogicalResult DynamicSliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                               Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t rank = input.getRank();
  SmallVector<int64_t> shape(input.getShape());
  for (Value bound : {adaptor.getStarts(), adaptor.getEnds(), adaptor.getAxes(), adaptor.getSteps()})
    if (bound && rankedOf(bound).getRank() != 1)
      return emitOptionalError(loc, "Slice: starts, ends, axes and steps must be 1-D, got ",
                               formatShape(rankedOf(bound).getShape()));
  // Only the sliced axes change; unknown axes may be any of them.
  std::optional<SmallVector<int64_t>> axes;
  int64_t count = rankedOf(adaptor.getStarts()).getDimSize(0);
  if (Value a = adaptor.getAxes())
    axes = getConstantInts(a);
  else if (!ShapedType::isDynamic(count) && count <= rank)
    axes = llvm::to_vector(llvm::seq<int64_t>(0, count));
  if (!axes || llvm::any_of(*axes, [&](int64_t a) { return a < -rank || a >= rank; })) {
    shape.assign(rank, kDyn);
  } else {
    for (int64_t a : *axes)
      shape[a < 0 ? a + rank : a] = kDyn;
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &results) {
  auto data = rankedOf(adaptor.getData()), indices = rankedOf(adaptor.getIndices());
  if (data.getRank() != indices.getRank() || !normalizeAxis(adaptor.getAxis(), data.getRank()))
    return emitOptionalError(loc, "GatherElements: data and indices need the same rank and a "
                             "valid axis, got ", formatShape(data.getShape()), " and ",
                             formatShape(indices.getShape()), " with axis ", adaptor.getAxis());
  results.push_back(tensorOf(indices.getShape(), data.getElementType()));
  return success();
}

LogicalResult ScatterElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &results) {
  auto data = rankedOf(adaptor.getData()), indices = rankedOf(adaptor.getIndices());
  auto updates = rankedOf(adaptor.getUpdates());
  if (data.getRank() != indices.getRank() || indices.getShape() != updates.getShape() ||
      !normalizeAxis(adaptor.getAxis(), data.getRank()))
    return emitOptionalError(loc, "ScatterElements: data, indices and updates need the same "
                             "rank (indices and updates the same shape) and a valid axis");
  StringRef r = adaptor.getReduction();
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return emitOptionalError(loc, "ScatterElements: reduction '", r, "' is not supported");
  results.push_back(data);
  return success();
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto data = rankedOf(adaptor.getData()), indices = rankedOf(adaptor.getIndices());
  int64_t b = adaptor.getBatchDims();
  if (indices.getRank() < 1 || indices.isDynamicDim(indices.getRank() - 1))
    return emitOptionalError(loc, "GatherND: the last axis of indices must have a static size");
  int64_t q = indices.getDimSize(indices.getRank() - 1);
  if (b < 0 || b >= indices.getRank() || b + q > data.getRank())
    return emitOptionalError(loc, "GatherND: index tuples of length ", q, " with batch_dims ", b,
                             " do not fit data of rank ", data.getRank());
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, data.getShape().drop_front(b + q));
  results.push_back(tensorOf(shape, data.getElementType()));
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto data = rankedOf(adaptor.getData()), indices = rankedOf(adaptor.getIndices());
  if (indices.getRank() < 1 || indices.isDynamicDim(indices.getRank() - 1) ||
      indices.getDimSize(indices.getRank() - 1) > data.getRank())
    return emitOptionalError(loc, "ScatterND: the last axis of indices must have a static size "
                             "no larger than the rank of data");
  results.push_back(data);
  return success();
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto indices = rankedOf(adaptor.getIndices());
  int64_t rank = indices.getRank() + 1;
  auto axis = normalizeAxis(adaptor.getAxis(), rank);
  if (!axis)
    return emitOptionalError(loc, "OneHot: axis ", adaptor.getAxis(), " is out of range for rank ",
                             rank);
  int64_t depth = kDyn;
  DenseElementsAttr dense;
  if (matchPattern(adaptor.getDepth(), m_Constant(&dense)) && dense.getNumElements() == 1) {
    depth = isa<FloatType>(dense.getElementType())
                ? (int64_t)(*dense.getValues<APFloat>().begin()).convertToDouble()
                : (*dense.getValues<APInt>().begin()).getSExtValue();
    if (depth < 1)
      return emitOptionalError(loc, "OneHot: depth must be >= 1, got ", depth);
  }
  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + *axis, depth);
  results.push_back(tensorOf(shape, rankedOf(adaptor.getValues()).getElementType()));
  return success();
}

LogicalResult CompressOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  if (rankedOf(adaptor.getCondition()).getRank() != 1)
    return emitOptionalError(loc, "Compress: condition must be 1-D");
  if (auto axis = adaptor.getAxis()) {
    auto norm = normalizeAxis(*axis, input.getRank());
    if (!norm)
      return emitOptionalError(loc, "Compress: axis ", *axis, " is out of range");
    SmallVector<int64_t> shape(input.getShape());
    shape[*norm] = kDyn;
    results.push_back(tensorOf(shape, input.getElementType()));
  } else {
    results.push_back(tensorOf({kDyn}, input.getElementType()));
  }
  return success();
}

LogicalResult NonZeroOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location>,
                                          Adaptor adaptor, SmallVectorImpl<Type> &results) {
  int64_t rank = rankedOf(adaptor.getInput()).getRank();
  results.push_back(tensorOf({std::max<int64_t>(rank, 1), kDyn}, i64(ctx)));
  return success();
}

LogicalResult UniqueOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  if (auto axis = adaptor.getAxis()) {
    auto norm = normalizeAxis(*axis, input.getRank());
    if (!norm)
      return emitOptionalError(loc, "Unique: axis ", *axis, " is out of range");
    SmallVector<int64_t> shape(input.getShape());
    shape[*norm] = kDyn;
    results.push_back(tensorOf(shape, input.getElementType()));
    results.push_back(tensorOf({kDyn}, i64(ctx)));
    results.push_back(tensorOf({input.getDimSize(*norm)}, i64(ctx)));
  } else {
    auto count = staticElementCount(input.getShape());
    results.push_back(tensorOf({kDyn}, input.getElementType()));
    results.push_back(tensorOf({kDyn}, i64(ctx)));
    results.push_back(tensorOf({count.value_or(kDyn)}, i64(ctx)));
  }
  results.push_back(tensorOf({kDyn}, i64(ctx)));
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  auto axis = normalizeAxis(adaptor.getAxis(), input.getRank());
  if (!axis)
    return emitOptionalError(loc, "TopK: axis ", adaptor.getAxis(), " is out of range");
  SmallVector<int64_t> shape(input.getShape());
  shape[*axis] = kDyn;
  if (auto k = constantScalar(adaptor.getK())) {
    int64_t d = input.getDimSize(*axis);
    if (*k < 0 || (!ShapedType::isDynamic(d) && *k > d))
      return emitOptionalError(loc, "TopK: k = ", *k, " is not in [0, ", d, "]");
    shape[*axis] = *k;
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  results.push_back(tensorOf(shape, i64(ctx)));
  return success();
}

LogicalResult CumSumOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  results.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult TriluOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  if (rankedOf(adaptor.getInput()).getRank() < 2)
    return emitOptionalError(loc, "Trilu: input must have rank >= 2");
  results.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult ReverseSequenceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                  Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t rank = input.getRank();
  int64_t batch = adaptor.getBatchAxis(), time = adaptor.getTimeAxis();
  if (rank < 2 || batch < 0 || batch > 1 || time < 0 || time > 1 || batch == time)
    return emitOptionalError(loc, "ReverseSequence: batch_axis and time_axis must be 0 and 1 in "
                                  "some order, on an input of rank >= 2");
  auto lens = rankedOf(adaptor.getSequenceLens());
  if (lens.getRank() != 1)
    return emitOptionalError(loc, "ReverseSequence: sequence_lens must be 1-D");
  if (!ShapedType::isDynamic(lens.getDimSize(0)) && !input.isDynamicDim(batch) &&
      lens.getDimSize(0) != input.getDimSize(batch))
    return emitOptionalError(loc, "ReverseSequence: sequence_lens has ", lens.getDimSize(0),
                             " entries but the batch axis has ", input.getDimSize(batch));
  results.push_back(input);
  return success();
}

LogicalResult RangeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  Type element = rankedOf(adaptor.getStart()).getElementType();
  int64_t length = kDyn;
  DenseElementsAttr s, l, d;
  if (matchPattern(adaptor.getStart(), m_Constant(&s)) &&
      matchPattern(adaptor.getLimit(), m_Constant(&l)) &&
      matchPattern(adaptor.getDelta(), m_Constant(&d))) {
    auto value = [](DenseElementsAttr a) {
      return isa<FloatType>(a.getElementType())
                 ? (*a.getValues<APFloat>().begin()).convertToDouble()
                 : (double)(*a.getValues<APInt>().begin()).getSExtValue();
    };
    double delta = value(d);
    if (delta == 0)
      return emitOptionalError(loc, "Range: delta must not be 0");
    length = std::max<int64_t>(0, (int64_t)std::ceil((value(l) - value(s)) / delta));
  }
  results.push_back(tensorOf({length}, element));
  return success();
}

LogicalResult NonMaxSuppressionOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &results) {
  if (rankedOf(adaptor.getBoxes()).getRank() != 3 || rankedOf(adaptor.getScores()).getRank() != 3)
    return emitOptionalError(loc, "NonMaxSuppression: boxes must be [B, N, 4] and scores "
                             "[B, C, N]");
  results.push_back(tensorOf({kDyn, 3}, i64(ctx)));
  return success();
}

LogicalResult EyeLikeOp::verify() {
  if (getInput().getType().getRank() != 2 || getType().getRank() != 2)
    return emitOpError("EyeLike: input and result must be 2-D");
  return success();
}

} // namespace openopt::nn
