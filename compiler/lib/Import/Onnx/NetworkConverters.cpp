//===- NetworkConverters.cpp - matmul, conv, norm, pooling, reductions ----===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

// Spatial attributes common to Conv and pooling, with auto_pad resolved
// into explicit pads (which needs static spatial sizes).
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

FailureOr<Window> readWindow(NodeContext &ctx, ArrayRef<int64_t> kernel,
                             bool hasDilations) {
  auto input = typeOf(ctx.input(0));
  int64_t spatial = input.getRank() - 2;
  if (spatial < 1)
    return ctx.fail("input must be [N, C, spatial...], got " +
                    nn::formatShape(input.getShape()));
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  if ((int64_t)w.kernel.size() != spatial)
    return ctx.fail("kernel_shape needs " + Twine(spatial) + " values");
  w.strides = ctx.getInts("strides", SmallVector<int64_t>(spatial, 1));
  w.dilations = hasDilations ? ctx.getInts("dilations", SmallVector<int64_t>(spatial, 1))
                             : SmallVector<int64_t>(spatial, 1);
  w.pads = ctx.getInts("pads", SmallVector<int64_t>(2 * spatial, 0));
  if ((int64_t)w.strides.size() != spatial || (int64_t)w.dilations.size() != spatial)
    return ctx.fail("strides and dilations need " + Twine(spatial) + " values");
  std::string autoPad = ctx.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return w;
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
    return w;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return ctx.fail("auto_pad='" + autoPad + "' is not a valid value");
  w.pads.assign(2 * spatial, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2);
    if (ShapedType::isDynamic(in))
      return ctx.fail("auto_pad=" + autoPad + " needs static spatial sizes");
    int64_t out = (in + w.strides[i] - 1) / w.strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1 - in);
    int64_t small = total / 2, large = total - small;
    w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
    w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
  }
  return w;
}

SmallVector<int64_t> kernelFromWeight(NodeContext &ctx) {
  auto weight = typeOf(ctx.input(1));
  return ctx.getInts("kernel_shape", weight.getShape().drop_front(2));
}

} // namespace

Converted convertMatMul(NodeContext &ctx) {
  return ctx.create(nn::MatMulOp::getOperationName(), {ctx.input(0), ctx.input(1)}, {});
}

Converted convertGemm(NodeContext &ctx) {
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.input(2))
    operands.push_back(ctx.input(2));
  return ctx.create(nn::GemmOp::getOperationName(), operands,
                    {ctx.floatAttr("alpha", ctx.getFloat("alpha", 1.0)),
                     ctx.floatAttr("beta", ctx.getFloat("beta", 1.0)),
                     ctx.intAttr("transA", ctx.getInt("transA", 0)),
                     ctx.intAttr("transB", ctx.getInt("transB", 0))});
}

Converted convertConv(NodeContext &ctx) {
  auto window = readWindow(ctx, kernelFromWeight(ctx), true);
  if (failed(window))
    return failure();
  auto weightShape = typeOf(ctx.input(1)).getShape().drop_front(2);
  if (!llvm::equal(window->kernel, weightShape))
    return ctx.fail("kernel_shape " + nn::formatShape(window->kernel) +
                    " does not match the weight's spatial shape " +
                    nn::formatShape(weightShape));
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.input(2))
    operands.push_back(ctx.input(2));
  return ctx.create(nn::ConvOp::getOperationName(), operands,
                    {ctx.intsAttr("strides", window->strides),
                     ctx.intsAttr("pads", window->pads),
                     ctx.intsAttr("dilations", window->dilations),
                     ctx.intAttr("group", ctx.getInt("group", 1))});
}

Converted convertConvTranspose(NodeContext &ctx) {
  auto input = typeOf(ctx.input(0));
  int64_t spatial = input.getRank() - 2;
  SmallVector<int64_t> kernel = kernelFromWeight(ctx);
  SmallVector<int64_t> strides = ctx.getInts("strides", SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> dilations = ctx.getInts("dilations", SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> outPad = ctx.getInts("output_padding", SmallVector<int64_t>(spatial, 0));
  SmallVector<int64_t> pads = ctx.getInts("pads", SmallVector<int64_t>(2 * spatial, 0));
  std::string autoPad = ctx.getString("auto_pad", "NOTSET");
  SmallVector<int64_t> outputShape = ctx.getInts("output_shape");
  if (spatial < 1 || (int64_t)kernel.size() != spatial ||
      (int64_t)strides.size() != spatial || (int64_t)dilations.size() != spatial ||
      (int64_t)outPad.size() != spatial)
    return ctx.fail("kernel_shape, strides, dilations and output_padding need one "
                    "value per spatial axis");
  if (!outputShape.empty() || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    if (outputShape.size() > (size_t)spatial)
      outputShape.erase(outputShape.begin(), outputShape.end() - spatial);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(i + 2);
      if (ShapedType::isDynamic(in))
        return ctx.fail("output_shape/auto_pad need static spatial sizes");
      int64_t target = outputShape.empty() ? in * strides[i] : outputShape[i];
      int64_t total = strides[i] * (in - 1) + outPad[i] +
                      (kernel[i] - 1) * dilations[i] + 1 - target;
      // A negative total grows the output; halves truncate toward zero as in
      // ONNX Runtime.
      int64_t half = total / 2;
      bool lower = autoPad == "SAME_LOWER";
      pads[i] = lower ? total - half : half;
      pads[i + spatial] = lower ? half : total - half;
    }
  } else if (autoPad == "VALID") {
    pads.assign(2 * spatial, 0);
  }
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.input(2))
    operands.push_back(ctx.input(2));
  return ctx.create(nn::ConvTransposeOp::getOperationName(), operands,
                    {ctx.intsAttr("strides", strides), ctx.intsAttr("pads", pads),
                     ctx.intsAttr("dilations", dilations),
                     ctx.intsAttr("output_padding", outPad),
                     ctx.intAttr("group", ctx.getInt("group", 1))});
}

Converted convertBatchNorm(NodeContext &ctx) {
  if (ctx.getInt("training_mode", 0) != 0 || ctx.outputUsed(1) || ctx.outputUsed(2))
    return ctx.fail("training mode (running mean/var outputs) is not supported");
  return ctx.create(nn::BatchNormOp::getOperationName(),
                    {ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4)},
                    {ctx.floatAttr("epsilon", ctx.getFloat("epsilon", 1e-5))});
}

Converted convertLayerNorm(NodeContext &ctx) {
  if (ctx.outputUsed(1) || ctx.outputUsed(2))
    return ctx.fail("the Mean and InvStdDev outputs are not supported");
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.input(2))
    operands.push_back(ctx.input(2));
  return ctx.create(nn::LayerNormOp::getOperationName(), operands,
                    {ctx.intAttr("axis", ctx.getInt("axis", -1)),
                     ctx.floatAttr("epsilon", ctx.getFloat("epsilon", 1e-5))});
}

Converted convertSoftmax(NodeContext &ctx) {
  Value input = ctx.input(0);
  auto type = typeOf(input);
  int64_t rank = type.getRank();
  int64_t axis = ctx.getInt("axis", ctx.opset < 13 ? 1 : -1);
  auto norm = nn::normalizeAxis(axis, rank);
  if (!norm)
    return ctx.fail("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
  if (ctx.opset >= 13 || *norm == rank - 1)
    return ctx.create(nn::SoftmaxOp::getOperationName(), {input},
                      {ctx.intAttr("axis", *norm)});
  // Before opset 13, Softmax normalises over all axes from `axis` on, as if
  // the input were flattened to 2-D there.
  auto outer = nn::staticElementCount(type.getShape().take_front(*norm));
  auto inner = nn::staticElementCount(type.getShape().drop_front(*norm));
  if (!outer || !inner)
    return ctx.fail("opset < 13 Softmax over several axes needs a static shape");
  auto flat = ctx.create<nn::ReshapeOp>({input, ctx.i64Constant({*outer, *inner})});
  if (failed(flat))
    return failure();
  auto soft = ctx.create<nn::SoftmaxOp>({*flat}, {ctx.intAttr("axis", 1)});
  if (failed(soft))
    return failure();
  return single(ctx.create<nn::ReshapeOp>({*soft, ctx.i64Constant(type.getShape())}));
}

Converted convertMaxPool(NodeContext &ctx) {
  if (ctx.outputUsed(1))
    return ctx.fail("the Indices output is not supported");
  if (ctx.getInt("storage_order", 0) != 0)
    return ctx.fail("storage_order=1 is not supported");
  auto window = readWindow(ctx, ctx.getInts("kernel_shape"), true);
  if (failed(window))
    return failure();
  return ctx.create(nn::MaxPoolOp::getOperationName(), {ctx.input(0)},
                    {ctx.intsAttr("kernel_shape", window->kernel),
                     ctx.intsAttr("strides", window->strides),
                     ctx.intsAttr("pads", window->pads),
                     ctx.intsAttr("dilations", window->dilations),
                     ctx.intAttr("ceil_mode", ctx.getInt("ceil_mode", 0))});
}

Converted convertAveragePool(NodeContext &ctx) {
  auto window = readWindow(ctx, ctx.getInts("kernel_shape"), false);
  if (failed(window))
    return failure();
  return ctx.create(nn::AveragePoolOp::getOperationName(), {ctx.input(0)},
                    {ctx.intsAttr("kernel_shape", window->kernel),
                     ctx.intsAttr("strides", window->strides),
                     ctx.intsAttr("pads", window->pads),
                     ctx.intAttr("ceil_mode", ctx.getInt("ceil_mode", 0)),
                     ctx.intAttr("count_include_pad", ctx.getInt("count_include_pad", 0))});
}

Converted convertGlobalAveragePool(NodeContext &ctx) {
  return ctx.create(nn::GlobalAveragePoolOp::getOperationName(), {ctx.input(0)}, {});
}

Converted convertReduce(NodeContext &ctx) {
  StringRef type = ctx.node.op_type();
  StringRef name = llvm::StringSwitch<StringRef>(type)
                       .Case("ReduceMean", nn::ReduceMeanOp::getOperationName())
                       .Case("ReduceSum", nn::ReduceSumOp::getOperationName())
                       .Default(nn::ReduceMaxOp::getOperationName());
  SmallVector<int64_t> axes = ctx.getInts("axes");
  // ReduceSum takes axes as an input from opset 13, the others from 18.
  int64_t axesInputOpset = type == "ReduceSum" ? 13 : 18;
  if (ctx.opset >= axesInputOpset && ctx.input(1)) {
    auto constAxes = ctx.constInts(1);
    if (!constAxes)
      return ctx.fail("axes must be a constant (dynamic axes are not supported)");
    axes = *constAxes;
  }
  return ctx.create(name, {ctx.input(0)},
                    {ctx.intsAttr("axes", axes),
                     ctx.intAttr("keepdims", ctx.getInt("keepdims", 1)),
                     ctx.intAttr("noop_with_empty_axes",
                                 ctx.getInt("noop_with_empty_axes", 0))});
}

} // namespace openopt::onnx_import
