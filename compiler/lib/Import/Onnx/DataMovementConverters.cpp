//===- DataMovementConverters.cpp - shape and data-movement ONNX ops ------===//
//
// Inputs that became attributes in nn (axes, starts, pads, ...) must be
// compile-time constants here; the error says so when they are not.
//
//===----------------------------------------------------------------------===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

// An int list that is an attribute in old opsets and an input in new ones.
FailureOr<SmallVector<int64_t>> intsAttrOrInput(NodeContext &ctx, StringRef name,
                                                int64_t inputOpset, size_t index,
                                                ArrayRef<int64_t> dflt) {
  if (ctx.opset < inputOpset)
    return ctx.getInts(name, dflt);
  if (!ctx.input(index))
    return SmallVector<int64_t>(dflt);
  auto values = ctx.constInts(index);
  if (!values)
    return ctx.fail(name + " must be a constant (computed " + name +
                    " are not supported)");
  return *values;
}

} // namespace

Converted convertFlatten(NodeContext &ctx) {
  return ctx.create(nn::FlattenOp::getOperationName(), {ctx.input(0)},
                    {ctx.intAttr("axis", ctx.getInt("axis", 1))});
}

Converted convertReshape(NodeContext &ctx) {
  return ctx.create(nn::ReshapeOp::getOperationName(), {ctx.input(0), ctx.input(1)},
                    {ctx.intAttr("allowzero", ctx.getInt("allowzero", 0))});
}

Converted convertTranspose(NodeContext &ctx) {
  int64_t rank = typeOf(ctx.input(0)).getRank();
  SmallVector<int64_t> reversed;
  for (int64_t i = rank - 1; i >= 0; --i)
    reversed.push_back(i);
  return ctx.create(nn::TransposeOp::getOperationName(), {ctx.input(0)},
                    {ctx.intsAttr("perm", ctx.getInts("perm", reversed))});
}

Converted convertSqueeze(NodeContext &ctx) {
  auto axes = intsAttrOrInput(ctx, "axes", 13, 1, {});
  if (failed(axes))
    return failure();
  return ctx.create(nn::SqueezeOp::getOperationName(), {ctx.input(0)},
                    {ctx.intsAttr("axes", *axes)});
}

Converted convertUnsqueeze(NodeContext &ctx) {
  auto axes = intsAttrOrInput(ctx, "axes", 13, 1, {});
  if (failed(axes))
    return failure();
  if (axes->empty())
    return ctx.fail("axes must not be empty");
  return ctx.create(nn::UnsqueezeOp::getOperationName(), {ctx.input(0)},
                    {ctx.intsAttr("axes", *axes)});
}

Converted convertConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < ctx.numInputs(); ++i)
    inputs.push_back(ctx.input(i));
  if (!ctx.has("axis"))
    return ctx.fail("the axis attribute is required");
  return ctx.create(nn::ConcatOp::getOperationName(), inputs,
                    {ctx.intAttr("axis", ctx.getInt("axis", 0))});
}

Converted convertSplit(NodeContext &ctx) {
  auto type = typeOf(ctx.input(0));
  int64_t axis = ctx.getInt("axis", 0);
  auto norm = nn::normalizeAxis(axis, type.getRank());
  if (!norm)
    return ctx.fail("axis " + Twine(axis) + " is out of range");
  auto sizes = intsAttrOrInput(ctx, "split", 13, 1, {});
  if (failed(sizes))
    return failure();
  unsigned parts = ctx.node.output_size();
  if (ctx.has("num_outputs") && ctx.getInt("num_outputs", 0) != (int64_t)parts)
    return ctx.fail("num_outputs does not match the node's " + Twine(parts) + " outputs");
  if (sizes->empty()) {
    int64_t d = type.getDimSize(*norm);
    if (ShapedType::isDynamic(d) || parts == 0)
      return ctx.fail("cannot split an axis of unknown size without split sizes");
    // Opset 18 allows a smaller last part when the size does not divide.
    int64_t chunk = (d + parts - 1) / parts;
    if (d % parts != 0 && !(ctx.opset >= 18 && chunk * (parts - 1) < d))
      return ctx.fail("cannot split axis of size " + Twine(d) + " evenly into " +
                      Twine(parts) + " outputs");
    sizes->assign(parts, chunk);
    sizes->back() = d - chunk * (parts - 1);
  }
  if (sizes->size() != parts)
    return ctx.fail("split has " + Twine(sizes->size()) + " sizes but the node has " +
                    Twine(parts) + " outputs");
  return ctx.create(nn::SplitOp::getOperationName(), {ctx.input(0)},
                    {ctx.intAttr("axis", axis), ctx.intsAttr("split", *sizes)}, parts);
}

Converted convertSlice(NodeContext &ctx) {
  SmallVector<int64_t> starts, ends, axes, steps;
  if (ctx.opset < 10) {
    starts = ctx.getInts("starts");
    ends = ctx.getInts("ends");
    axes = ctx.getInts("axes");
  } else {
    auto s = ctx.constInts(1), e = ctx.constInts(2);
    if (!s || !e)
      return ctx.fail("starts and ends must be constants (computed bounds are "
                      "not supported)");
    starts = *s;
    ends = *e;
    for (auto [index, out] : {std::pair<size_t, SmallVector<int64_t> *>{3, &axes},
                              {4, &steps}}) {
      if (!ctx.input(index))
        continue;
      auto v = ctx.constInts(index);
      if (!v)
        return ctx.fail("axes and steps must be constants");
      *out = *v;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  return ctx.create(nn::SliceOp::getOperationName(), {ctx.input(0)},
                    {ctx.intsAttr("starts", starts), ctx.intsAttr("ends", ends),
                     ctx.intsAttr("axes", axes), ctx.intsAttr("steps", steps)});
}

Converted convertGather(NodeContext &ctx) {
  return ctx.create(nn::GatherOp::getOperationName(), {ctx.input(0), ctx.input(1)},
                    {ctx.intAttr("axis", ctx.getInt("axis", 0))});
}

Converted convertShape(NodeContext &ctx) {
  SmallVector<NamedAttribute> attrs = {ctx.intAttr("start", ctx.getInt("start", 0))};
  if (ctx.has("end"))
    attrs.push_back(ctx.intAttr("end", ctx.getInt("end", 0)));
  return ctx.create(nn::ShapeOp::getOperationName(), {ctx.input(0)}, attrs);
}

Converted convertSize(NodeContext &ctx) {
  return ctx.create(nn::SizeOp::getOperationName(), {ctx.input(0)}, {});
}

Converted convertConstantOfShape(NodeContext &ctx) {
  Attribute value;
  if (const auto *tensor = ctx.getTensor("value")) {
    auto constant = constantFromTensor(ctx, *tensor);
    if (failed(constant))
      return failure();
    value = (*constant).getDefiningOp<nn::ConstantOp>().getValue();
    (*constant).getDefiningOp()->erase();
  } else {
    auto type = RankedTensorType::get({1}, ctx.builder.getF32Type());
    value = DenseElementsAttr::get(type, 0.0f);
  }
  return ctx.create(nn::ConstantOfShapeOp::getOperationName(), {ctx.input(0)},
                    {ctx.attr("value", value)});
}

Converted convertExpand(NodeContext &ctx) {
  return ctx.create(nn::ExpandOp::getOperationName(), {ctx.input(0), ctx.input(1)}, {});
}

Converted convertTile(NodeContext &ctx) {
  return ctx.create(nn::TileOp::getOperationName(), {ctx.input(0), ctx.input(1)}, {});
}

Converted convertPad(NodeContext &ctx) {
  std::string mode = ctx.getString("mode", "constant");
  SmallVector<int64_t> pads;
  double value = 0.0;
  if (ctx.opset < 11) {
    pads = ctx.getInts("pads");
    value = ctx.getFloat("value", 0.0);
  } else {
    auto p = ctx.constInts(1);
    if (!p)
      return ctx.fail("pads must be a constant (computed pads are not supported)");
    pads = *p;
    if (ctx.input(2)) {
      auto v = ctx.constFloats(2);
      if (!v || v->size() != 1)
        return ctx.fail("constant_value must be a constant scalar");
      value = (*v)[0];
    }
    if (ctx.input(3))
      return ctx.fail("the axes input (opset 18) is not supported");
  }
  return ctx.create(nn::PadOp::getOperationName(), {ctx.input(0)},
                    {ctx.intsAttr("pads", pads), ctx.stringAttr("mode", mode),
                     ctx.f64Attr("value", value)});
}

Converted convertResize(NodeContext &ctx) {
  auto type = typeOf(ctx.input(0));
  int64_t rank = type.getRank();
  bool upsample = ctx.node.op_type() == "Upsample";
  // Opset 10 Resize and Upsample: (X, scales); opset 11+: (X, roi, scales, sizes).
  size_t scalesIndex = (upsample || ctx.opset < 11) ? 1 : 2;
  std::string mode = ctx.getString("mode", "nearest");
  std::string coord = ctx.opset < 11 ? "asymmetric"
                                      : ctx.getString("coordinate_transformation_mode",
                                                      "half_pixel");
  std::string nearest = ctx.getString("nearest_mode", "round_prefer_floor");
  if (mode == "bilinear" || mode == "trilinear")
    mode = "linear";
  if (mode != "nearest" && mode != "linear")
    return ctx.fail("mode='" + mode + "' is not supported (nearest, linear are)");
  if (coord == "tf_crop_and_resize")
    return ctx.fail("coordinate_transformation_mode=tf_crop_and_resize is not supported");
  if (ctx.opset < 11 && mode == "nearest")
    nearest = "floor"; // the behaviour of Upsample and opset-10 Resize

  SmallVector<double> scales;
  SmallVector<NamedAttribute> attrs;
  auto constScales = ctx.input(scalesIndex) ? ctx.constFloats(scalesIndex) : std::nullopt;
  if (constScales && !constScales->empty()) {
    scales = *constScales;
  } else if (upsample && ctx.opset < 9 && ctx.has("scales")) {
    scales = ctx.getFloats("scales");
  } else if (!upsample && ctx.opset >= 11 && ctx.input(3)) {
    auto sizes = ctx.constInts(3);
    if (!sizes || (int64_t)sizes->size() != rank)
      return ctx.fail("sizes must be a constant with one entry per axis");
    for (int64_t i = 0; i < rank; ++i) {
      int64_t in = type.getDimSize(i);
      if (ShapedType::isDynamic(in))
        return ctx.fail("sizes on a dynamic axis are not supported");
      scales.push_back(double((*sizes)[i]) / double(in));
    }
    attrs.push_back(ctx.intsAttr("sizes", *sizes));
  } else {
    return ctx.fail("scales or sizes must be a constant");
  }
  attrs.push_back(ctx.attr("scales", ctx.builder.getDenseF64ArrayAttr(scales)));
  attrs.push_back(ctx.stringAttr("mode", mode));
  attrs.push_back(ctx.stringAttr("coordinate_transformation_mode", coord));
  attrs.push_back(ctx.stringAttr("nearest_mode", nearest));
  return ctx.create(nn::ResizeOp::getOperationName(), {ctx.input(0)}, attrs);
}

} // namespace openopt::onnx_import
