//===- ElementwiseConverters.cpp - element-wise ONNX ops to nn -------------===//
#include "Converters.h"

#include "openopt/Import/Onnx/TensorProto.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace openopt::onnx_import {

Converted convertUnary(NodeContext &ctx) {
  StringRef name = llvm::StringSwitch<StringRef>(ctx.node.op_type())
                       .Case("Sqrt", nn::SqrtOp::getOperationName())
                       .Case("Exp", nn::ExpOp::getOperationName())
                       .Case("Log", nn::LogOp::getOperationName())
                       .Case("Neg", nn::NegOp::getOperationName())
                       .Case("Abs", nn::AbsOp::getOperationName())
                       .Case("Reciprocal", nn::ReciprocalOp::getOperationName())
                       .Case("Tanh", nn::TanhOp::getOperationName())
                       .Case("Sigmoid", nn::SigmoidOp::getOperationName())
                       .Case("HardSwish", nn::HardSwishOp::getOperationName())
                       .Case("Relu", nn::ReluOp::getOperationName())
                       .Case("Erf", nn::ErfOp::getOperationName())
                       .Case("Not", nn::NotOp::getOperationName())
                       .Case("Identity", nn::IdentityOp::getOperationName())
                       .Default("");
  return ctx.create(name, {ctx.input(0)}, {});
}

Converted convertBinary(NodeContext &ctx) {
  StringRef name = llvm::StringSwitch<StringRef>(ctx.node.op_type())
                       .Case("Add", nn::AddOp::getOperationName())
                       .Case("Sub", nn::SubOp::getOperationName())
                       .Case("Mul", nn::MulOp::getOperationName())
                       .Case("Div", nn::DivOp::getOperationName())
                       .Case("Pow", nn::PowOp::getOperationName())
                       .Case("Equal", nn::EqualOp::getOperationName())
                       .Case("Less", nn::LessOp::getOperationName())
                       .Case("Greater", nn::GreaterOp::getOperationName())
                       .Default("");
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  // Pow allows an exponent of another type; nn.pow wants one element type.
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  if (ctx.node.op_type() == "Pow" && lt.getElementType() != rt.getElementType()) {
    auto castTo = RankedTensorType::get(rt.getShape(), lt.getElementType());
    rhs = nn::CastOp::create(ctx.builder, ctx.loc, castTo, rhs);
  }
  return ctx.create(name, {lhs, rhs}, {});
}

Converted convertVariadicMinMax(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.fail("needs at least one input");
  StringRef name = ctx.node.op_type() == "Min" ? nn::MinOp::getOperationName()
                                               : nn::MaxOp::getOperationName();
  Value acc = ctx.input(0);
  for (size_t i = 1; i < ctx.numInputs(); ++i) {
    auto next = ctx.create(name, {acc, ctx.input(i)}, {});
    if (failed(next))
      return failure();
    acc = (*next)[0];
  }
  return Values{acc};
}

Converted convertWhere(NodeContext &ctx) {
  return ctx.create(nn::WhereOp::getOperationName(),
                    {ctx.input(0), ctx.input(1), ctx.input(2)}, {});
}

Converted convertClip(NodeContext &ctx) {
  SmallVector<NamedAttribute> attrs;
  if (ctx.opset < 11) {
    if (ctx.has("min"))
      attrs.push_back(ctx.f64Attr("min", ctx.getFloat("min", 0)));
    if (ctx.has("max"))
      attrs.push_back(ctx.f64Attr("max", ctx.getFloat("max", 0)));
  } else {
    const char *names[] = {"min", "max"};
    for (size_t i = 1; i <= 2; ++i) {
      if (!ctx.input(i))
        continue;
      auto bound = ctx.constFloats(i);
      if (!bound || bound->size() != 1)
        return ctx.fail(Twine(names[i - 1]) +
                                " must be a constant scalar (dynamic bounds are "
                                "not supported)");
      attrs.push_back(ctx.f64Attr(names[i - 1], (*bound)[0]));
    }
  }
  return ctx.create(nn::ClipOp::getOperationName(), {ctx.input(0)}, attrs);
}

Converted convertHardSigmoid(NodeContext &ctx) {
  return ctx.create(nn::HardSigmoidOp::getOperationName(), {ctx.input(0)},
                    {ctx.floatAttr("alpha", ctx.getFloat("alpha", 0.2)),
                     ctx.floatAttr("beta", ctx.getFloat("beta", 0.5))});
}

Converted convertLeakyRelu(NodeContext &ctx) {
  return ctx.create(nn::LeakyReluOp::getOperationName(), {ctx.input(0)},
                    {ctx.floatAttr("alpha", ctx.getFloat("alpha", 0.01))});
}

Converted convertGelu(NodeContext &ctx) {
  std::string approximate = ctx.getString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.fail("approximate='" + approximate +
                            "' is not supported (none, tanh are)");
  return ctx.create(nn::GeluOp::getOperationName(), {ctx.input(0)},
                    {ctx.stringAttr("approximate", approximate)});
}

Converted convertDropout(NodeContext &ctx) {
  if (ctx.input(2)) {
    auto training = ctx.constInts(2);
    if (!training || (training->size() == 1 && (*training)[0] != 0))
      return ctx.fail("training_mode must be a constant false");
  }
  double ratio = ctx.getFloat("ratio", 0.5);
  if (ctx.input(1))
    if (auto r = ctx.constFloats(1); r && r->size() == 1)
      ratio = (*r)[0];
  auto output = ctx.create<nn::DropoutOp>({ctx.input(0)}, {ctx.floatAttr("ratio", ratio)});
  if (failed(output))
    return failure();
  if (!ctx.outputUsed(1))
    return Values{*output};
  // At inference every element is kept: the mask is all true.
  auto type = cast<RankedTensorType>(ctx.input(0).getType());
  if (!type.hasStaticShape())
    return ctx.fail("the mask output needs a static input shape");
  auto maskType = RankedTensorType::get(type.getShape(), ctx.builder.getI1Type());
  Value mask = nn::ConstantOp::create(ctx.builder, ctx.loc, DenseElementsAttr::get(maskType, true));
  return Values{*output, mask};
}

Converted convertCast(NodeContext &ctx) {
  auto element = onnxElementType(*ctx.builder.getContext(), ctx.getInt("to", 0));
  if (!element)
    return ctx.fail("to: " + llvm::toString(element.takeError()));
  auto inType = cast<RankedTensorType>(ctx.input(0).getType());
  auto outType = RankedTensorType::get(inType.getShape(), *element);
  if (inType == outType)
    return Values{ctx.input(0)};
  return Values{nn::CastOp::create(ctx.builder, ctx.loc, outType, ctx.input(0)).getResult()};
}

Converted convertConstant(NodeContext &ctx) {
  if (const auto *tensor = ctx.getTensor("value"))
    return single(constantFromTensor(ctx, *tensor));
  auto makeDense = [&](auto values, Type element, bool scalar) -> Converted {
    SmallVector<int64_t> shape;
    if (!scalar)
      shape.push_back((int64_t)values.size());
    auto type = RankedTensorType::get(shape, element);
    return Values{nn::ConstantOp::create(ctx.builder, ctx.loc,
                                         DenseElementsAttr::get(type, ArrayRef(values)))
                      .getResult()};
  };
  if (ctx.has("value_float"))
    return makeDense(SmallVector<float>{(float)ctx.getFloat("value_float", 0)},
                     ctx.builder.getF32Type(), true);
  if (ctx.has("value_int"))
    return makeDense(SmallVector<int64_t>{ctx.getInt("value_int", 0)},
                     ctx.builder.getI64Type(), true);
  if (ctx.has("value_ints"))
    return makeDense(ctx.getInts("value_ints"), ctx.builder.getI64Type(), false);
  if (ctx.has("value_floats")) {
    SmallVector<float> floats;
    for (double f : ctx.getFloats("value_floats"))
      floats.push_back((float)f);
    return makeDense(floats, ctx.builder.getF32Type(), false);
  }
  return ctx.fail("needs a value, value_float(s) or value_int(s) "
                          "attribute (sparse and string values are not supported)");
}

} // namespace openopt::onnx_import
