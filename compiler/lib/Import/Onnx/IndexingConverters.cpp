//===- IndexingConverters.cpp - gathers, scatters, sorting, ranges --------===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"
#include "openopt/Import/Onnx/TensorProto.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
} // namespace

Converted convertGatherElements(NodeContext &ctx) {
  return ctx.create(nn::GatherElementsOp::getOperationName(), {ctx.input(0), ctx.input(1)},
                    {ctx.intAttr("axis", ctx.getInt("axis", 0))});
}

// ScatterElements, and Scatter (its name before opset 11).
Converted convertScatterElements(NodeContext &ctx) {
  return ctx.create(nn::ScatterElementsOp::getOperationName(),
                    {ctx.input(0), ctx.input(1), ctx.input(2)},
                    {ctx.intAttr("axis", ctx.getInt("axis", 0)),
                     ctx.stringAttr("reduction", ctx.getString("reduction", "none"))});
}

Converted convertGatherND(NodeContext &ctx) {
  return ctx.create(nn::GatherNDOp::getOperationName(), {ctx.input(0), ctx.input(1)},
                    {ctx.intAttr("batch_dims", ctx.getInt("batch_dims", 0))});
}

Converted convertScatterND(NodeContext &ctx) {
  return ctx.create(nn::ScatterNDOp::getOperationName(), {ctx.input(0), ctx.input(1), ctx.input(2)},
                    {ctx.stringAttr("reduction", ctx.getString("reduction", "none"))});
}

Converted convertOneHot(NodeContext &ctx) {
  return ctx.create(nn::OneHotOp::getOperationName(), {ctx.input(0), ctx.input(1), ctx.input(2)},
                    {ctx.intAttr("axis", ctx.getInt("axis", -1))});
}

Converted convertCompress(NodeContext &ctx) {
  SmallVector<NamedAttribute> attrs;
  if (ctx.has("axis"))
    attrs.push_back(ctx.intAttr("axis", ctx.getInt("axis", 0)));
  return ctx.create(nn::CompressOp::getOperationName(), {ctx.input(0), ctx.input(1)}, attrs);
}

Converted convertNonZero(NodeContext &ctx) {
  return ctx.create(nn::NonZeroOp::getOperationName(), {ctx.input(0)}, {});
}

Converted convertUnique(NodeContext &ctx) {
  SmallVector<NamedAttribute> attrs = {ctx.intAttr("sorted", ctx.getInt("sorted", 1))};
  if (ctx.has("axis"))
    attrs.push_back(ctx.intAttr("axis", ctx.getInt("axis", 0)));
  return ctx.create(nn::UniqueOp::getOperationName(), {ctx.input(0)}, attrs, 4);
}

Converted convertTopK(NodeContext &ctx) {
  // Opsets 1-9 give k as an attribute.
  Value k = ctx.opset < 10 ? ctx.i64Constant({ctx.getInt("k", 0)}) : ctx.input(1);
  if (!k)
    return ctx.fail("needs k");
  return ctx.create(nn::TopKOp::getOperationName(), {ctx.input(0), k},
                    {ctx.intAttr("axis", ctx.getInt("axis", -1)),
                     ctx.intAttr("largest", ctx.getInt("largest", 1)),
                     ctx.intAttr("sorted", ctx.getInt("sorted", 1))},
                    2);
}

Converted convertCumSum(NodeContext &ctx) {
  return ctx.create(nn::CumSumOp::getOperationName(), {ctx.input(0), ctx.input(1)},
                    {ctx.intAttr("exclusive", ctx.getInt("exclusive", 0)),
                     ctx.intAttr("reverse", ctx.getInt("reverse", 0))});
}

Converted convertTrilu(NodeContext &ctx) {
  SmallVector<Value> operands = {ctx.input(0)};
  if (ctx.input(1))
    operands.push_back(ctx.input(1));
  return ctx.create(nn::TriluOp::getOperationName(), operands,
                    {ctx.intAttr("upper", ctx.getInt("upper", 1))});
}

Converted convertEyeLike(NodeContext &ctx) {
  auto type = typeOf(ctx.input(0));
  Type element = type.getElementType();
  if (ctx.has("dtype")) {
    auto e = onnxElementType(*ctx.builder.getContext(), ctx.getInt("dtype", 1));
    if (!e)
      return ctx.fail("dtype: " + llvm::toString(e.takeError()));
    element = *e;
  }
  if (type.getRank() != 2)
    return ctx.fail("input must be 2-D");
  auto result = RankedTensorType::get(type.getShape(), element);
  return Values{nn::EyeLikeOp::create(ctx.builder, ctx.loc, result, ctx.input(0),
                                      ctx.builder.getI64IntegerAttr(ctx.getInt("k", 0)))
                    .getResult()};
}

Converted convertRange(NodeContext &ctx) {
  return ctx.create(nn::RangeOp::getOperationName(), {ctx.input(0), ctx.input(1), ctx.input(2)}, {});
}

Converted convertReverseSequence(NodeContext &ctx) {
  return ctx.create(nn::ReverseSequenceOp::getOperationName(), {ctx.input(0), ctx.input(1)},
                    {ctx.intAttr("batch_axis", ctx.getInt("batch_axis", 1)),
                     ctx.intAttr("time_axis", ctx.getInt("time_axis", 0))});
}

Converted convertNonMaxSuppression(NodeContext &ctx) {
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  SmallVector<int32_t> segments = {1, 1};
  for (size_t i = 2; i <= 4; ++i) {
    segments.push_back(ctx.input(i) ? 1 : 0);
    if (ctx.input(i))
      operands.push_back(ctx.input(i));
  }
  return ctx.create(nn::NonMaxSuppressionOp::getOperationName(), operands,
                    {ctx.intAttr("center_point_box", ctx.getInt("center_point_box", 0)),
                     ctx.segments(segments)});
}

} // namespace openopt::onnx_import
