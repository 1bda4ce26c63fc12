//===- DataMovementConverters.cpp - shape and data-movement ONNX ops ------===//
//
// Inputs that are attributes in nn (axes, starts, pads, ...) become those
// attributes when they are compile-time constants; computed ones stay
// operands, and the compiled code reads them at run time.
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
  // Opsets 1-4 give the shape as an attribute.
  Value shape = ctx.opset < 5 ? ctx.i64Constant(ctx.getInts("shape")) : ctx.input(1);
  if (!shape)
    return ctx.fail("needs a shape");
  return ctx.create(nn::ReshapeOp::getOperationName(), {ctx.input(0), shape},
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

// Squeeze and Unsqueeze: axes from the attribute (opset < 13), a constant
// input, or (computed) the operand `dynamic_axes`.
Converted convertSqueezeLike(NodeContext &ctx) {
  bool squeeze = ctx.node.op_type() == "Squeeze";
  StringRef name = squeeze ? nn::SqueezeOp::getOperationName()
                           : nn::UnsqueezeOp::getOperationName();
  SmallVector<Value> operands = {ctx.input(0)};
  SmallVector<int64_t> axes;
  if (ctx.opset < 13) {
    axes = ctx.getInts("axes");
  } else if (ctx.input(1)) {
    if (auto c = ctx.constInts(1))
      axes = *c;
    else
      operands.push_back(ctx.input(1));
  }
  if (!squeeze && axes.empty() && operands.size() == 1)
    return ctx.fail("axes must not be empty");
  return ctx.create(name, operands, {ctx.intsAttr("axes", axes)});
}

Converted convertConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < ctx.numInputs(); ++i)
    inputs.push_back(ctx.input(i));
  // Opsets 1-3 default the axis to 1.
  if (!ctx.has("axis") && ctx.opset >= 4)
    return ctx.fail("the axis attribute is required");
  if (!ctx.has("axis"))
    return ctx.create(nn::ConcatOp::getOperationName(), inputs, {ctx.intAttr("axis", 1)});
  return ctx.create(nn::ConcatOp::getOperationName(), inputs,
                    {ctx.intAttr("axis", ctx.getInt("axis", 0))});
}

Converted convertSplit(NodeContext &ctx) {
  auto type = typeOf(ctx.input(0));
  int64_t axis = ctx.getInt("axis", 0);
  auto norm = nn::normalizeAxis(axis, type.getRank());
  if (!norm)
    return ctx.fail("axis " + Twine(axis) + " is out of range");
  unsigned parts = ctx.node.output_size();
  // Opset 1 could pass split as a second input; 13+ always does.
  if ((ctx.opset >= 13 || ctx.opset < 2) && ctx.input(1) && !ctx.constInts(1))
    return ctx.create(nn::SplitOp::getOperationName(), {ctx.input(0), ctx.input(1)},
                      {ctx.intAttr("axis", axis), ctx.intsAttr("split", {})}, parts);
  auto sizes = (ctx.opset < 2 && ctx.input(1)) ? FailureOr<SmallVector<int64_t>>(*ctx.constInts(1))
                                               : intsAttrOrInput(ctx, "split", 13, 1, {});
  if (failed(sizes))
    return failure();
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
    bool computed = !s || !e;
    for (auto [index, out] : {std::pair<size_t, SmallVector<int64_t> *>{3, &axes},
                              {4, &steps}}) {
      if (!ctx.input(index))
        continue;
      auto v = ctx.constInts(index);
      if (!v)
        computed = true;
      else
        *out = *v;
    }
    if (computed) {
      // Bounds known at run time only.
      SmallVector<Value> operands = {ctx.input(0), ctx.input(1), ctx.input(2)};
      int32_t hasAxes = ctx.input(3) ? 1 : 0, hasSteps = ctx.input(4) ? 1 : 0;
      if (hasAxes)
        operands.push_back(ctx.input(3));
      if (hasSteps)
        operands.push_back(ctx.input(4));
      return ctx.create(nn::DynamicSliceOp::getOperationName(), operands,
                        {ctx.segments({1, 1, 1, hasAxes, hasSteps})});
    }
    starts = *s;
    ends = *e;
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
  if (ctx.opset < 6) {
    // Opsets 1-5: Tile(input, tiles, axis) repeats one axis.
    auto tiles = ctx.constInts(1), axis = ctx.constInts(2);
    int64_t rank = typeOf(ctx.input(0)).getRank();
    if (!tiles || !axis || tiles->size() != 1 || axis->size() != 1)
      return ctx.fail("tiles and axis must be constant scalars");
    auto norm = nn::normalizeAxis((*axis)[0], rank);
    if (!norm)
      return ctx.fail("axis is out of range");
    SmallVector<int64_t> repeats(rank, 1);
    repeats[*norm] = (*tiles)[0];
    return ctx.create(nn::TileOp::getOperationName(), {ctx.input(0), ctx.i64Constant(repeats)}, {});
  }
  return ctx.create(nn::TileOp::getOperationName(), {ctx.input(0), ctx.input(1)}, {});
}

Converted convertPad(NodeContext &ctx) {
  std::string mode = ctx.getString("mode", "constant");
  SmallVector<int64_t> pads;
  double value = 0.0;
  SmallVector<Value> operands = {ctx.input(0)};
  int32_t dynamicPads = 0, dynamicValue = 0;
  if (ctx.opset < 11) {
    pads = ctx.getInts(ctx.opset < 2 ? "paddings" : "pads");
    value = ctx.getFloat("value", 0.0);
  } else {
    if (ctx.input(3))
      return ctx.fail("the axes input (opset 18) is not supported");
    if (auto p = ctx.constInts(1)) {
      pads = *p;
    } else {
      operands.push_back(ctx.input(1));
      dynamicPads = 1;
    }
    if (ctx.input(2)) {
      auto v = ctx.constFloats(2);
      if (v && v->size() == 1) {
        value = (*v)[0];
      } else {
        operands.push_back(ctx.input(2));
        dynamicValue = 1;
      }
    }
  }
  return ctx.create(nn::PadOp::getOperationName(), operands,
                    {ctx.intsAttr("pads", pads), ctx.stringAttr("mode", mode),
                     ctx.f64Attr("value", value), ctx.segments({1, dynamicPads, dynamicValue})});
}

Converted convertResize(NodeContext &ctx) {
  auto type = typeOf(ctx.input(0));
  int64_t rank = type.getRank();
  bool upsample = ctx.node.op_type() == "Upsample";
  // Opset 10 Resize and Upsample: (X, scales); opset 11+: (X, roi, scales, sizes).
  bool legacy = upsample || ctx.opset < 11;
  size_t scalesIndex = legacy ? 1 : 2;
  std::string mode = ctx.getString("mode", "nearest");
  std::string coord = legacy ? "asymmetric"
                             : ctx.getString("coordinate_transformation_mode", "half_pixel");
  std::string nearest = ctx.getString("nearest_mode", "round_prefer_floor");
  if (mode == "bilinear" || mode == "trilinear")
    mode = "linear";
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return ctx.fail("mode='" + mode + "' is not supported (nearest, linear, cubic are)");
  if (legacy && mode == "nearest")
    nearest = "floor"; // the behaviour of Upsample and opset-10 Resize
  if (ctx.has("antialias") && ctx.getInt("antialias", 0) != 0)
    return ctx.fail("antialias = 1 (opset 18) is not supported");

  for (size_t i = 1; i < ctx.numInputs(); ++i)
    if (ctx.input(i) && typeOf(ctx.input(i)).getRank() != 1)
      return ctx.fail("input " + Twine(i) + " (roi, scales or sizes) must be 1-D, got rank " +
                      Twine(typeOf(ctx.input(i)).getRank()));
  SmallVector<Value> operands = {ctx.input(0)};
  int32_t dynamicScales = 0, dynamicSizes = 0, roi = 0;
  SmallVector<double> scales;
  SmallVector<NamedAttribute> attrs;
  auto constScales = ctx.input(scalesIndex) ? ctx.constFloats(scalesIndex) : std::nullopt;
  bool hasScales = ctx.input(scalesIndex) &&
                   !(constScales && constScales->empty()) &&
                   typeOf(ctx.input(scalesIndex)).getDimSize(0) != 0;
  if (upsample && ctx.opset < 9) {
    scales = ctx.getFloats("scales");
  } else if (hasScales && constScales) {
    scales = *constScales;
  } else if (hasScales) {
    operands.push_back(ctx.input(scalesIndex));
    dynamicScales = 1;
  } else if (!legacy && ctx.input(3)) {
    auto sizes = ctx.constInts(3);
    if (sizes && (int64_t)sizes->size() != rank)
      return ctx.fail("sizes must have one entry per axis");
    if (!sizes || !type.hasStaticShape()) {
      operands.push_back(ctx.input(3));
      dynamicSizes = 1;
    } else {
      for (int64_t i = 0; i < rank; ++i)
        scales.push_back(double((*sizes)[i]) / double(type.getDimSize(i)));
      attrs.push_back(ctx.intsAttr("sizes", *sizes));
    }
  } else {
    return ctx.fail("needs scales or sizes");
  }
  if (coord == "tf_crop_and_resize") {
    if (!ctx.input(1))
      return ctx.fail("tf_crop_and_resize needs the roi input");
    operands.push_back(ctx.input(1));
    roi = 1;
  }
  attrs.push_back(ctx.attr("scales", ctx.builder.getDenseF64ArrayAttr(scales)));
  attrs.push_back(ctx.stringAttr("mode", mode));
  attrs.push_back(ctx.stringAttr("coordinate_transformation_mode", coord));
  attrs.push_back(ctx.stringAttr("nearest_mode", nearest));
  attrs.push_back(ctx.f64Attr("cubic_coeff_a", ctx.getFloat("cubic_coeff_a", -0.75)));
  attrs.push_back(ctx.intAttr("exclude_outside", ctx.getInt("exclude_outside", 0)));
  attrs.push_back(ctx.f64Attr("extrapolation_value", ctx.getFloat("extrapolation_value", 0.0)));
  attrs.push_back(ctx.segments({1, dynamicScales, dynamicSizes, roi}));
  return ctx.create(nn::ResizeOp::getOperationName(), operands, attrs);
}

Converted convertDepthToSpace(NodeContext &ctx) {
  Value x = ctx.input(0);
  auto type = typeOf(x);
  int64_t bs = ctx.getInt("blocksize", 0);
  bool toDepth = ctx.node.op_type() == "SpaceToDepth";
  if (type.getRank() != 4 || !type.hasStaticShape() || bs < 1)
    return ctx.fail("needs a static 4-D input and a blocksize >= 1");
  int64_t n = type.getDimSize(0), c = type.getDimSize(1), h = type.getDimSize(2),
          w = type.getDimSize(3);
  SmallVector<int64_t> first, perm, last;
  if (toDepth) {
    if (h % bs || w % bs)
      return ctx.fail("height and width must be multiples of the blocksize");
    first = {n, c, h / bs, bs, w / bs, bs};
    perm = {0, 3, 5, 1, 2, 4};
    last = {n, c * bs * bs, h / bs, w / bs};
  } else {
    if (c % (bs * bs))
      return ctx.fail("channels must be a multiple of blocksize^2");
    bool crd = ctx.getString("mode", "DCR") == "CRD";
    first = crd ? SmallVector<int64_t>{n, c / (bs * bs), bs, bs, h, w}
                : SmallVector<int64_t>{n, bs, bs, c / (bs * bs), h, w};
    perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3} : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    last = {n, c / (bs * bs), h * bs, w * bs};
  }
  auto split = ctx.create<nn::ReshapeOp>({x, ctx.i64Constant(first)});
  if (failed(split))
    return failure();
  auto moved = ctx.create<nn::TransposeOp>({*split}, {ctx.intsAttr("perm", perm)});
  if (failed(moved))
    return failure();
  return single(ctx.create<nn::ReshapeOp>({*moved, ctx.i64Constant(last)}));
}

} // namespace openopt::onnx_import
