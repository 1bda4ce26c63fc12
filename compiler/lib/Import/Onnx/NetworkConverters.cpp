//===- NetworkConverters.cpp - matmul, conv, norm, pooling, reductions ----===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"
#include "openopt/Import/Onnx/TensorProto.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <map>

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

// The kernel's spatial sizes; the weight must be [F, C, K...] like the input.
FailureOr<SmallVector<int64_t>> kernelFromWeight(NodeContext &ctx) {
  auto input = typeOf(ctx.input(0)), weight = typeOf(ctx.input(1));
  if (weight.getRank() < 3 || weight.getRank() != input.getRank())
    return ctx.fail("the weight must be [M, C/group, k...] with the input's rank " +
                    Twine(input.getRank()) + ", got " + nn::formatShape(weight.getShape()));
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
  auto kernel = kernelFromWeight(ctx);
  if (failed(kernel))
    return failure();
  auto window = readWindow(ctx, *kernel, true);
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
  auto kernelOrError = kernelFromWeight(ctx);
  if (failed(kernelOrError))
    return failure();
  SmallVector<int64_t> kernel = *kernelOrError;
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

// Softmax, LogSoftmax and Hardmax.
Converted convertSoftmax(NodeContext &ctx) {
  StringRef name = llvm::StringSwitch<StringRef>(ctx.node.op_type())
                       .Case("LogSoftmax", nn::LogSoftmaxOp::getOperationName())
                       .Case("Hardmax", nn::HardmaxOp::getOperationName())
                       .Default(nn::SoftmaxOp::getOperationName());
  Value input = ctx.input(0);
  auto type = typeOf(input);
  int64_t rank = type.getRank();
  int64_t axis = ctx.getInt("axis", ctx.opset < 13 ? 1 : -1);
  auto norm = nn::normalizeAxis(axis, rank);
  if (!norm)
    return ctx.fail("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
  if (ctx.opset >= 13 || *norm == rank - 1)
    return ctx.create(name, {input}, {ctx.intAttr("axis", *norm)});
  // Before opset 13, these normalise over all axes from `axis` on, as if the
  // input were flattened to 2-D there.
  auto flat = ctx.create<nn::FlattenOp>({input}, {ctx.intAttr("axis", *norm)});
  if (failed(flat))
    return failure();
  auto soft = ctx.create(name, {*flat}, {ctx.intAttr("axis", 1)});
  if (failed(soft))
    return failure();
  auto shape = ctx.create<nn::ShapeOp>({input}, {ctx.intAttr("start", 0)});
  if (failed(shape))
    return failure();
  return single(ctx.create<nn::ReshapeOp>({(*soft)[0], *shape}));
}

Converted convertArgReduce(NodeContext &ctx) {
  StringRef name = ctx.node.op_type() == "ArgMax" ? nn::ArgMaxOp::getOperationName()
                                                  : nn::ArgMinOp::getOperationName();
  return ctx.create(name, {ctx.input(0)},
                    {ctx.intAttr("axis", ctx.getInt("axis", 0)),
                     ctx.intAttr("keepdims", ctx.getInt("keepdims", 1)),
                     ctx.intAttr("select_last_index", ctx.getInt("select_last_index", 0))});
}

Converted convertMaxPool(NodeContext &ctx) {
  auto window = readWindow(ctx, ctx.getInts("kernel_shape"), true);
  if (failed(window))
    return failure();
  if (ctx.outputUsed(1))
    return ctx.create(nn::MaxPoolWithIndicesOp::getOperationName(), {ctx.input(0)},
                      {ctx.intsAttr("kernel_shape", window->kernel),
                       ctx.intsAttr("strides", window->strides),
                       ctx.intsAttr("pads", window->pads),
                       ctx.intsAttr("dilations", window->dilations),
                       ctx.intAttr("ceil_mode", ctx.getInt("ceil_mode", 0)),
                       ctx.intAttr("storage_order", ctx.getInt("storage_order", 0))},
                      2);
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

Converted convertGlobalMaxPool(NodeContext &ctx) {
  int64_t rank = typeOf(ctx.input(0)).getRank();
  if (rank < 3)
    return ctx.fail("input must be [N, C, spatial...]");
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  return ctx.create(nn::ReduceMaxOp::getOperationName(), {ctx.input(0)},
                    {ctx.intsAttr("axes", axes), ctx.intAttr("keepdims", 1)});
}

Converted convertMaxUnpool(NodeContext &ctx) {
  auto input = typeOf(ctx.input(0));
  int64_t spatial = input.getRank() - 2;
  SmallVector<int64_t> kernel = ctx.getInts("kernel_shape");
  SmallVector<Value> operands = {ctx.input(0), ctx.input(1)};
  if (ctx.input(2))
    operands.push_back(ctx.input(2));
  return ctx.create(nn::MaxUnpoolOp::getOperationName(), operands,
                    {ctx.intsAttr("kernel_shape", kernel),
                     ctx.intsAttr("strides", ctx.getInts("strides", SmallVector<int64_t>(spatial, 1))),
                     ctx.intsAttr("pads", ctx.getInts("pads", SmallVector<int64_t>(2 * spatial, 0)))});
}

// Opset 13 Einsum: "...", spaces and the implicit output form become an
// explicit, letters-only equation.
Converted convertEinsum(NodeContext &ctx) {
  std::string equation;
  for (char c : ctx.getString("equation", ""))
    if (c != ' ')
      equation += c;
  StringRef eq(equation);
  auto [lhs, rhs] = eq.split("->");
  bool explicitOutput = eq.contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != ctx.numInputs())
    return ctx.fail("the equation has " + Twine(terms.size()) + " terms for " +
                    Twine(ctx.numInputs()) + " inputs");
  // Letters for the axes "..." stands for: capitals unused by the equation.
  std::string spare;
  for (char c = 'A'; c <= 'Z'; ++c)
    if (!eq.contains(c))
      spare += c;
  int64_t ellipsisRank = 0;
  SmallVector<std::string> expanded;
  for (size_t i = 0; i < terms.size(); ++i) {
    StringRef term = terms[i];
    int64_t rank = typeOf(ctx.input(i)).getRank();
    size_t dots = term.find("...");
    if (dots == StringRef::npos) {
      if ((int64_t)term.size() != rank)
        return ctx.fail("term '" + term + "' names " + Twine(term.size()) +
                        " axes but input " + Twine(i) + " has rank " + Twine(rank));
      expanded.push_back(term.str());
      continue;
    }
    int64_t named = term.size() - 3;
    int64_t extra = rank - named;
    if (extra < 0 || extra > (int64_t)spare.size())
      return ctx.fail("term '" + term + "' does not fit input " + Twine(i));
    ellipsisRank = std::max(ellipsisRank, extra);
    // Broadcast axes are right-aligned: the last `extra` of the spare letters.
    expanded.push_back((term.substr(0, dots) + StringRef(spare).take_front(ellipsisRank).take_back(extra) +
                        term.substr(dots + 3))
                           .str());
  }
  // Re-expand with the final ellipsis rank (an earlier term may have used fewer).
  for (size_t i = 0; i < terms.size(); ++i) {
    size_t dots = terms[i].find("...");
    if (dots == StringRef::npos)
      continue;
    int64_t extra = typeOf(ctx.input(i)).getRank() - (terms[i].size() - 3);
    expanded[i] = (terms[i].substr(0, dots) +
                   StringRef(spare).take_front(ellipsisRank).take_back(extra) +
                   terms[i].substr(dots + 3))
                      .str();
  }
  std::string output;
  if (explicitOutput) {
    size_t dots = rhs.find("...");
    output = dots == StringRef::npos
                 ? rhs.str()
                 : (rhs.substr(0, dots) + StringRef(spare).take_front(ellipsisRank) +
                    rhs.substr(dots + 3))
                       .str();
  } else {
    // Implicit: the broadcast axes, then every letter used once, sorted.
    output = StringRef(spare).take_front(ellipsisRank).str();
    std::map<char, int> counts;
    for (const std::string &t : expanded)
      for (char c : t)
        if (c >= 'a' && c <= 'z')
          ++counts[c];
    for (auto [c, n] : counts)
      if (n == 1)
        output += c;
  }
  std::string full = llvm::join(expanded, ",") + "->" + output;
  SmallVector<Value> operands;
  for (size_t i = 0; i < ctx.numInputs(); ++i)
    operands.push_back(ctx.input(i));
  return ctx.create(nn::EinsumOp::getOperationName(), operands,
                    {ctx.stringAttr("equation", full)});
}

Converted convertDet(NodeContext &ctx) {
  return ctx.create(nn::DetOp::getOperationName(), {ctx.input(0)}, {});
}

Converted convertRoiAlign(NodeContext &ctx) {
  return ctx.create(
      nn::RoiAlignOp::getOperationName(), {ctx.input(0), ctx.input(1), ctx.input(2)},
      {ctx.stringAttr("mode", ctx.getString("mode", "avg")),
       ctx.intAttr("output_height", ctx.getInt("output_height", 1)),
       ctx.intAttr("output_width", ctx.getInt("output_width", 1)),
       ctx.intAttr("sampling_ratio", ctx.getInt("sampling_ratio", 0)),
       ctx.floatAttr("spatial_scale", ctx.getFloat("spatial_scale", 1.0)),
       // Opset 10 had no attribute; its behaviour is output_half_pixel.
       ctx.stringAttr("coordinate_transformation_mode",
                      ctx.getString("coordinate_transformation_mode",
                                    ctx.opset < 16 ? "output_half_pixel" : "half_pixel"))});
}

Converted convertGridSample(NodeContext &ctx) {
  return ctx.create(nn::GridSampleOp::getOperationName(), {ctx.input(0), ctx.input(1)},
                    {ctx.intAttr("align_corners", ctx.getInt("align_corners", 0)),
                     ctx.stringAttr("mode", ctx.getString("mode", "bilinear")),
                     ctx.stringAttr("padding_mode", ctx.getString("padding_mode", "zeros"))});
}

Converted convertReduce(NodeContext &ctx) {
  StringRef type = ctx.node.op_type();
  StringRef name = llvm::StringSwitch<StringRef>(type)
                       .Case("ReduceMean", nn::ReduceMeanOp::getOperationName())
                       .Case("ReduceSum", nn::ReduceSumOp::getOperationName())
                       .Case("ReduceMax", nn::ReduceMaxOp::getOperationName())
                       .Case("ReduceMin", nn::ReduceMinOp::getOperationName())
                       .Case("ReduceProd", nn::ReduceProdOp::getOperationName())
                       .Case("ReduceL1", nn::ReduceL1Op::getOperationName())
                       .Case("ReduceL2", nn::ReduceL2Op::getOperationName())
                       .Case("ReduceLogSum", nn::ReduceLogSumOp::getOperationName())
                       .Case("ReduceLogSumExp", nn::ReduceLogSumExpOp::getOperationName())
                       .Default(nn::ReduceSumSquareOp::getOperationName());
  SmallVector<int64_t> axes = ctx.getInts("axes");
  SmallVector<Value> operands = {ctx.input(0)};
  // ReduceSum takes axes as an input from opset 13, the others from 18.
  int64_t axesInputOpset = type == "ReduceSum" ? 13 : 18;
  if (ctx.opset >= axesInputOpset && ctx.input(1)) {
    if (auto constAxes = ctx.constInts(1))
      axes = *constAxes;
    else
      operands.push_back(ctx.input(1)); // known at run time only
  }
  return ctx.create(name, operands,
                    {ctx.intsAttr("axes", axes),
                     ctx.intAttr("keepdims", ctx.getInt("keepdims", 1)),
                     ctx.intAttr("noop_with_empty_axes",
                                 ctx.getInt("noop_with_empty_axes", 0))});
}

} // namespace openopt::onnx_import
