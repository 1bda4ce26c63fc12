//===- NormalizationConverters.cpp - norms and losses ----------------------===//
//
// BatchNormalization, LayerNormalization (with its optional statistics
// outputs), InstanceNormalization, LRN, MeanVarianceNormalization and the
// two losses. Training-mode BatchNorm and MeanVarianceNormalization are
// composed from reductions, as ONNX defines them.
//
//===----------------------------------------------------------------------===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
Type elementOf(Value v) { return typeOf(v).getElementType(); }

FailureOr<Value> reduceMean(NodeContext &ctx, Value v, ArrayRef<int64_t> axes) {
  return ctx.create<nn::ReduceMeanOp>({v}, {ctx.intsAttr("axes", axes), ctx.intAttr("keepdims", 1)});
}

} // namespace

Converted convertBatchNorm(NodeContext &ctx) {
  if (ctx.getInt("spatial", 1) != 1)
    return ctx.fail("spatial = 0 (per-activation statistics) is not supported");
  bool training = ctx.getInt("training_mode", 0) != 0 || ctx.outputUsed(1) || ctx.outputUsed(2);
  double eps = ctx.getFloat("epsilon", 1e-5);
  if (!training)
    return ctx.create(nn::BatchNormOp::getOperationName(),
                      {ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4)},
                      {ctx.floatAttr("epsilon", eps)});
  if (ctx.opset < 14)
    return ctx.fail("the mean/var outputs of opset < 14 BatchNormalization are not supported");
  // Training mode: normalise by this batch's statistics over every axis but
  // the channels, and blend them into the running ones.
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> axes = {0};
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  Type element = elementOf(x);
  auto mean = reduceMean(ctx, x, axes);
  if (failed(mean))
    return failure();
  auto centered = ctx.create<nn::SubOp>({x, *mean});
  if (failed(centered))
    return failure();
  auto squared = ctx.create<nn::MulOp>({*centered, *centered});
  if (failed(squared))
    return failure();
  auto var = reduceMean(ctx, *squared, axes);
  if (failed(var))
    return failure();
  auto flatMean = ctx.create<nn::ReshapeOp>({*mean, ctx.i64Constant({-1})});
  auto flatVar = ctx.create<nn::ReshapeOp>({*var, ctx.i64Constant({-1})});
  if (failed(flatMean) || failed(flatVar))
    return failure();
  auto y = ctx.create<nn::BatchNormOp>({x, ctx.input(1), ctx.input(2), *flatMean, *flatVar},
                                       {ctx.floatAttr("epsilon", eps)});
  if (failed(y))
    return failure();
  double momentum = ctx.getFloat("momentum", 0.9);
  auto blend = [&](Value running, Value batch) -> FailureOr<Value> {
    auto a = ctx.create<nn::MulOp>({running, ctx.scalarConstant(element, momentum)});
    auto b = ctx.create<nn::MulOp>({batch, ctx.scalarConstant(element, 1.0 - momentum)});
    if (failed(a) || failed(b))
      return failure();
    return ctx.create<nn::AddOp>({*a, *b});
  };
  auto runningMean = blend(ctx.input(3), *flatMean);
  auto runningVar = blend(ctx.input(4), *flatVar);
  if (failed(runningMean) || failed(runningVar))
    return failure();
  return Values{*y, *runningMean, *runningVar};
}

Converted convertLayerNorm(NodeContext &ctx) {
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.input(2))
    operands.push_back(ctx.input(2));
  int64_t axis = ctx.getInt("axis", -1);
  double eps = ctx.getFloat("epsilon", 1e-5);
  auto y = ctx.create<nn::LayerNormOp>(operands, {ctx.intAttr("axis", axis),
                                                  ctx.floatAttr("epsilon", eps)});
  if (failed(y))
    return failure();
  if (!ctx.outputUsed(1) && !ctx.outputUsed(2))
    return Values{*y};
  // The statistics outputs: mean and 1 / sqrt(var + epsilon) over the
  // normalised axes, with those axes kept as 1.
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  auto norm = nn::normalizeAxis(axis, rank);
  if (!norm)
    return ctx.fail("axis " + Twine(axis) + " is out of range");
  SmallVector<int64_t> axes;
  for (int64_t i = *norm; i < rank; ++i)
    axes.push_back(i);
  Type element = elementOf(x);
  auto mean = reduceMean(ctx, x, axes);
  if (failed(mean))
    return failure();
  auto centered = ctx.create<nn::SubOp>({x, *mean});
  if (failed(centered))
    return failure();
  auto squared = ctx.create<nn::MulOp>({*centered, *centered});
  if (failed(squared))
    return failure();
  auto var = reduceMean(ctx, *squared, axes);
  if (failed(var))
    return failure();
  auto shifted = ctx.create<nn::AddOp>({*var, ctx.scalarConstant(element, eps)});
  if (failed(shifted))
    return failure();
  auto sd = ctx.create<nn::SqrtOp>({*shifted});
  if (failed(sd))
    return failure();
  auto inv = ctx.create<nn::ReciprocalOp>({*sd});
  if (failed(inv))
    return failure();
  return Values{*y, *mean, *inv};
}

Converted convertInstanceNorm(NodeContext &ctx) {
  return ctx.create(nn::InstanceNormOp::getOperationName(),
                    {ctx.input(0), ctx.input(1), ctx.input(2)},
                    {ctx.floatAttr("epsilon", ctx.getFloat("epsilon", 1e-5))});
}

Converted convertLrn(NodeContext &ctx) {
  if (!ctx.has("size"))
    return ctx.fail("the size attribute is required");
  return ctx.create(nn::LrnOp::getOperationName(), {ctx.input(0)},
                    {ctx.intAttr("size", ctx.getInt("size", 1)),
                     ctx.floatAttr("alpha", ctx.getFloat("alpha", 0.0001)),
                     ctx.floatAttr("beta", ctx.getFloat("beta", 0.75)),
                     ctx.floatAttr("bias", ctx.getFloat("bias", 1.0))});
}

// ONNX's function: (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9).
Converted convertMeanVarianceNorm(NodeContext &ctx) {
  Value x = ctx.input(0);
  SmallVector<int64_t> axes = ctx.getInts("axes", {0, 2, 3});
  Type element = elementOf(x);
  auto mean = reduceMean(ctx, x, axes);
  if (failed(mean))
    return failure();
  auto meanSquared = ctx.create<nn::MulOp>({*mean, *mean});
  auto squares = ctx.create<nn::MulOp>({x, x});
  if (failed(meanSquared) || failed(squares))
    return failure();
  auto meanOfSquares = reduceMean(ctx, *squares, axes);
  if (failed(meanOfSquares))
    return failure();
  auto var = ctx.create<nn::SubOp>({*meanOfSquares, *meanSquared});
  if (failed(var))
    return failure();
  auto sd = ctx.create<nn::SqrtOp>({*var});
  if (failed(sd))
    return failure();
  auto denom = ctx.create<nn::AddOp>({*sd, ctx.scalarConstant(element, 1e-9)});
  auto centered = ctx.create<nn::SubOp>({x, *mean});
  if (failed(denom) || failed(centered))
    return failure();
  return single(ctx.create<nn::DivOp>({*centered, *denom}));
}

static SmallVector<NamedAttribute> lossAttrs(NodeContext &ctx) {
  SmallVector<NamedAttribute> attrs = {
      ctx.stringAttr("reduction", ctx.getString("reduction", "mean"))};
  if (ctx.has("ignore_index"))
    attrs.push_back(ctx.intAttr("ignore_index", ctx.getInt("ignore_index", 0)));
  return attrs;
}

Converted convertNllLoss(NodeContext &ctx) {
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.input(2))
    operands.push_back(ctx.input(2));
  return ctx.create(nn::NllLossOp::getOperationName(), operands, lossAttrs(ctx));
}

// SoftmaxCrossEntropyLoss = NegativeLogLikelihoodLoss(LogSoftmax(scores, 1)).
Converted convertSoftmaxCrossEntropy(NodeContext &ctx) {
  auto logProb = ctx.create<nn::LogSoftmaxOp>({ctx.input(0)}, {ctx.intAttr("axis", 1)});
  if (failed(logProb))
    return failure();
  SmallVector<Value> operands = {*logProb, ctx.input(1)};
  if (ctx.input(2))
    operands.push_back(ctx.input(2));
  auto loss = ctx.create(nn::NllLossOp::getOperationName(), operands, lossAttrs(ctx));
  if (failed(loss))
    return failure();
  return Values{(*loss)[0], *logProb};
}

} // namespace openopt::onnx_import
