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
                       .Case("Sin", nn::SinOp::getOperationName())
                       .Case("Cos", nn::CosOp::getOperationName())
                       .Case("Tan", nn::TanOp::getOperationName())
                       .Case("Asin", nn::AsinOp::getOperationName())
                       .Case("Acos", nn::AcosOp::getOperationName())
                       .Case("Atan", nn::AtanOp::getOperationName())
                       .Case("Sinh", nn::SinhOp::getOperationName())
                       .Case("Cosh", nn::CoshOp::getOperationName())
                       .Case("Asinh", nn::AsinhOp::getOperationName())
                       .Case("Acosh", nn::AcoshOp::getOperationName())
                       .Case("Atanh", nn::AtanhOp::getOperationName())
                       .Case("Floor", nn::FloorOp::getOperationName())
                       .Case("Ceil", nn::CeilOp::getOperationName())
                       .Case("Round", nn::RoundOp::getOperationName())
                       .Case("Sign", nn::SignOp::getOperationName())
                       .Case("Softplus", nn::SoftplusOp::getOperationName())
                       .Case("Softsign", nn::SoftsignOp::getOperationName())
                       .Case("IsNaN", nn::IsNaNOp::getOperationName())
                       .Default("");
  return ctx.create(name, {ctx.input(0)}, {});
}

Converted convertParamUnary(NodeContext &ctx) {
  StringRef type = ctx.node.op_type();
  SmallVector<NamedAttribute> attrs;
  StringRef name;
  if (type == "Elu") {
    name = nn::EluOp::getOperationName();
    attrs.push_back(ctx.floatAttr("alpha", ctx.getFloat("alpha", 1.0)));
  } else if (type == "Selu") {
    name = nn::SeluOp::getOperationName();
    attrs.push_back(ctx.floatAttr("alpha", ctx.getFloat("alpha", 1.67326319217681884765625)));
    attrs.push_back(ctx.floatAttr("gamma", ctx.getFloat("gamma", 1.05070102214813232421875)));
  } else if (type == "Celu") {
    name = nn::CeluOp::getOperationName();
    attrs.push_back(ctx.floatAttr("alpha", ctx.getFloat("alpha", 1.0)));
  } else if (type == "ThresholdedRelu") {
    name = nn::ThresholdedReluOp::getOperationName();
    attrs.push_back(ctx.floatAttr("alpha", ctx.getFloat("alpha", 1.0)));
  } else {
    name = nn::ShrinkOp::getOperationName();
    attrs.push_back(ctx.floatAttr("bias", ctx.getFloat("bias", 0.0)));
    attrs.push_back(ctx.floatAttr("lambd", ctx.getFloat("lambd", 0.5)));
  }
  return ctx.create(name, {ctx.input(0)}, attrs);
}

Converted convertIsInf(NodeContext &ctx) {
  return ctx.create(nn::IsInfOp::getOperationName(), {ctx.input(0)},
                    {ctx.intAttr("detect_negative", ctx.getInt("detect_negative", 1)),
                     ctx.intAttr("detect_positive", ctx.getInt("detect_positive", 1))});
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
                       .Case("GreaterOrEqual", nn::GreaterOrEqualOp::getOperationName())
                       .Case("LessOrEqual", nn::LessOrEqualOp::getOperationName())
                       .Case("And", nn::AndOp::getOperationName())
                       .Case("Or", nn::OrOp::getOperationName())
                       .Case("Xor", nn::XorOp::getOperationName())
                       .Case("PRelu", nn::PReluOp::getOperationName())
                       .Case("Mod", nn::ModOp::getOperationName())
                       .Case("BitShift", nn::BitShiftOp::getOperationName())
                       .Default("");
  auto operands = legacyBroadcastOperands(ctx);
  if (failed(operands))
    return failure();
  Value lhs = (*operands)[0], rhs = (*operands)[1];
  // PRelu before opset 7: a slope of one value per channel follows axis 1.
  if (ctx.node.op_type() == "PRelu" && ctx.opset < 7) {
    auto lt = cast<RankedTensorType>(lhs.getType()), rt = cast<RankedTensorType>(rhs.getType());
    if (rt.getRank() == 1 && lt.getRank() > 2 && rt.getDimSize(0) != 1) {
      SmallVector<int64_t> axes;
      for (int64_t i = 1; i < lt.getRank() - 1; ++i)
        axes.push_back(i);
      auto shaped = ctx.create<nn::UnsqueezeOp>({rhs}, {ctx.intsAttr("axes", axes)});
      if (failed(shaped))
        return failure();
      rhs = *shaped;
    }
  }
  SmallVector<NamedAttribute> attrs;
  if (ctx.node.op_type() == "Mod")
    attrs.push_back(ctx.intAttr("fmod", ctx.getInt("fmod", 0)));
  if (ctx.node.op_type() == "BitShift") {
    std::string direction = ctx.getString("direction", "");
    if (direction != "LEFT" && direction != "RIGHT")
      return ctx.fail("direction must be \"LEFT\" or \"RIGHT\", got \"" + direction + "\"");
    attrs.push_back(ctx.stringAttr("direction", direction));
  }
  // Pow allows an exponent of another type; nn.pow wants one element type.
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  if (ctx.node.op_type() == "Pow" && lt.getElementType() != rt.getElementType()) {
    if (isa<FloatType>(rt.getElementType()) && !isa<FloatType>(lt.getElementType())) {
      // An integer base with a float exponent: compute in the float type,
      // then convert back as a C cast would.
      auto wide = nn::CastOp::create(ctx.builder, ctx.loc,
                                     RankedTensorType::get(lt.getShape(), rt.getElementType()), lhs);
      auto power = ctx.create<nn::PowOp>({wide, rhs});
      if (failed(power))
        return failure();
      auto pt = cast<RankedTensorType>((*power).getType());
      return Values{nn::CastOp::create(ctx.builder, ctx.loc,
                                       RankedTensorType::get(pt.getShape(), lt.getElementType()), *power)
                        .getResult()};
    }
    auto castTo = RankedTensorType::get(rt.getShape(), lt.getElementType());
    rhs = nn::CastOp::create(ctx.builder, ctx.loc, castTo, rhs);
  }
  return ctx.create(name, {lhs, rhs}, attrs);
}

FailureOr<SmallVector<Value, 2>> legacyBroadcastOperands(NodeContext &ctx) {
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  if (!lhs || !rhs)
    return ctx.fail("needs two inputs");
  // Opsets 1-6: with broadcast = 1, B lines up with A starting at `axis`
  // (default: the trailing axes); append unit axes so numpy rules agree.
  if (ctx.opset < 7 && ctx.getInt("broadcast", 0) == 1) {
    auto lt = cast<RankedTensorType>(lhs.getType()), rt = cast<RankedTensorType>(rhs.getType());
    int64_t axis = ctx.getInt("axis", lt.getRank() - rt.getRank());
    if (axis < 0)
      axis += lt.getRank();
    int64_t trailing = lt.getRank() - axis - rt.getRank();
    if (axis < 0 || trailing < 0)
      return ctx.fail("B of rank " + Twine(rt.getRank()) + " does not fit A of rank " +
                      Twine(lt.getRank()) + " at axis " + Twine(axis));
    if (trailing > 0) {
      SmallVector<int64_t> axes;
      for (int64_t i = 0; i < trailing; ++i)
        axes.push_back(rt.getRank() + i);
      auto unsqueezed = ctx.create<nn::UnsqueezeOp>({rhs}, {ctx.intsAttr("axes", axes)});
      if (failed(unsqueezed))
        return failure();
      rhs = *unsqueezed;
    }
  }
  return SmallVector<Value, 2>{lhs, rhs};
}

Converted convertVariadicSum(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.fail("needs at least one input");
  Value acc = ctx.input(0);
  for (size_t i = 1; i < ctx.numInputs(); ++i) {
    auto next = ctx.create<nn::AddOp>({acc, ctx.input(i)});
    if (failed(next))
      return failure();
    acc = *next;
  }
  if (ctx.node.op_type() == "Mean" && ctx.numInputs() > 1) {
    Type element = cast<RankedTensorType>(acc.getType()).getElementType();
    return single(ctx.create<nn::DivOp>(
        {acc, ctx.scalarConstant(element, (double)ctx.numInputs())}));
  }
  if (ctx.numInputs() == 1)
    return single(ctx.create<nn::IdentityOp>({acc}));
  return Values{acc};
}

Converted convertCastLike(NodeContext &ctx) {
  auto inType = cast<RankedTensorType>(ctx.input(0).getType());
  Type element = cast<RankedTensorType>(ctx.input(1).getType()).getElementType();
  auto outType = RankedTensorType::get(inType.getShape(), element);
  if (inType == outType)
    return Values{ctx.input(0)};
  return Values{nn::CastOp::create(ctx.builder, ctx.loc, outType, ctx.input(0)).getResult()};
}

// RandomUniform(Like), RandomNormal(Like), Bernoulli.
Converted convertRandom(NodeContext &ctx) {
  StringRef type = ctx.node.op_type();
  bool like = type.ends_with("Like") || type == "Bernoulli";
  Value input = like ? ctx.input(0) : Value();
  Type element = input ? cast<RankedTensorType>(input.getType()).getElementType()
                       : ctx.builder.getF32Type();
  if (ctx.has("dtype")) {
    auto e = onnxElementType(*ctx.builder.getContext(), ctx.getInt("dtype", 1));
    if (!e)
      return ctx.fail("dtype: " + llvm::toString(e.takeError()));
    element = *e;
  }
  SmallVector<NamedAttribute> attrs = {ctx.attr("dtype", TypeAttr::get(element))};
  if (type == "Bernoulli") {
    attrs.push_back(ctx.stringAttr("distribution", "bernoulli"));
  } else if (type.starts_with("RandomNormal")) {
    attrs.push_back(ctx.stringAttr("distribution", "normal"));
    attrs.push_back(ctx.f64Attr("low", ctx.getFloat("mean", 0.0)));
    attrs.push_back(ctx.f64Attr("high", ctx.getFloat("scale", 1.0)));
  } else {
    attrs.push_back(ctx.stringAttr("distribution", "uniform"));
    attrs.push_back(ctx.f64Attr("low", ctx.getFloat("low", 0.0)));
    attrs.push_back(ctx.f64Attr("high", ctx.getFloat("high", 1.0)));
  }
  if (ctx.has("seed"))
    attrs.push_back(ctx.f64Attr("seed", ctx.getFloat("seed", 0.0)));
  if (!like)
    attrs.push_back(ctx.intsAttr("shape", ctx.getInts("shape")));
  SmallVector<Value> operands;
  if (input)
    operands.push_back(input);
  return ctx.create(nn::RandomOp::getOperationName(), operands, attrs);
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
    bool computed = false;
    for (size_t i = 1; i <= 2; ++i) {
      if (!ctx.input(i))
        continue;
      auto bound = ctx.constFloats(i);
      if (!bound || bound->size() != 1) {
        computed = true;
        continue;
      }
      attrs.push_back(ctx.f64Attr(names[i - 1], (*bound)[0]));
    }
    if (computed) {
      // Bounds known at run time only: min(max(x, lo), hi).
      Value y = ctx.input(0);
      if (Value lo = ctx.input(1)) {
        auto r = ctx.create<nn::MaxOp>({y, lo});
        if (failed(r))
          return failure();
        y = *r;
      }
      if (Value hi = ctx.input(2)) {
        auto r = ctx.create<nn::MinOp>({y, hi});
        if (failed(r))
          return failure();
        y = *r;
      }
      return Values{y};
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

// Dropout: the identity at inference; with training_mode true, each element
// is zeroed with probability `ratio` and the others scaled by 1 / (1 - ratio).
Converted convertDropout(NodeContext &ctx) {
  Value x = ctx.input(0);
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  std::optional<int64_t> training = 0;
  if (ctx.input(2)) {
    auto t = ctx.constInts(2);
    training = t && t->size() == 1 ? std::optional<int64_t>((*t)[0]) : std::nullopt;
  }
  Value ratio = ctx.input(1);
  double constRatio = ctx.getFloat("ratio", 0.5);
  if (ratio)
    if (auto r = ctx.constFloats(1); r && r->size() == 1) {
      constRatio = (*r)[0];
      ratio = Value();
    }
  auto maskType = RankedTensorType::get(type.getShape(), ctx.builder.getI1Type());
  if (training && *training == 0) {
    auto output = ctx.create<nn::DropoutOp>({x}, {ctx.floatAttr("ratio", ratio ? 0.5 : constRatio)});
    if (failed(output))
      return failure();
    if (!ctx.outputUsed(1))
      return Values{*output};
    // At inference every element is kept: the mask is all true.
    if (!type.hasStaticShape())
      return ctx.fail("the mask output needs a static input shape");
    Value mask = nn::ConstantOp::create(ctx.builder, ctx.loc, DenseElementsAttr::get(maskType, true));
    return Values{*output, mask};
  }
  Value r = ratio ? ratio : ctx.scalarConstant(element, constRatio);
  if (cast<RankedTensorType>(r.getType()).getElementType() != element)
    r = nn::CastOp::create(ctx.builder, ctx.loc,
                           RankedTensorType::get(cast<RankedTensorType>(r.getType()).getShape(), element), r);
  SmallVector<NamedAttribute> attrs = {ctx.stringAttr("distribution", "uniform"),
                                       ctx.attr("dtype", TypeAttr::get(element))};
  if (ctx.has("seed"))
    attrs.push_back(ctx.f64Attr("seed", ctx.getFloat("seed", 0)));
  auto u = ctx.create(nn::RandomOp::getOperationName(), {x}, attrs);
  if (failed(u))
    return failure();
  auto keep = ctx.create<nn::GreaterOrEqualOp>({(*u)[0], r});
  auto kept = ctx.create<nn::SubOp>({ctx.scalarConstant(element, 1), r});
  if (failed(keep) || failed(kept))
    return failure();
  auto scaled = ctx.create<nn::DivOp>({x, *kept});
  if (failed(scaled))
    return failure();
  auto y = ctx.create<nn::WhereOp>({*keep, *scaled, ctx.scalarConstant(element, 0)});
  if (failed(y))
    return failure();
  Value out = *y, mask = *keep;
  if (!training) {
    // training_mode known at run time only.
    Value t = ctx.input(2);
    auto tType = cast<RankedTensorType>(t.getType());
    if (tType.getRank() > 0) {
      auto scalar = ctx.create<nn::ReshapeOp>({t, ctx.i64Constant({})});
      if (failed(scalar))
        return failure();
      t = *scalar;
    }
    auto pick = ctx.create<nn::WhereOp>({t, *y, x});
    Value allTrue = ctx.scalarConstant(ctx.builder.getI1Type(), 1);
    auto pickMask = ctx.create<nn::WhereOp>({t, *keep, allTrue});
    if (failed(pick) || failed(pickMask))
      return failure();
    out = *pick;
    mask = *pickMask;
    // The mask of a non-training run is all true; broadcast it to x's shape.
    if (mask.getType() != maskType) {
      auto shape = ctx.create<nn::ShapeOp>({x}, {ctx.intAttr("start", 0)});
      if (failed(shape))
        return failure();
      auto expanded = ctx.create<nn::ExpandOp>({mask, *shape});
      if (failed(expanded))
        return failure();
      mask = *expanded;
    }
  }
  if (ctx.outputUsed(1))
    return Values{out, mask};
  return Values{out};
}

Converted convertCast(NodeContext &ctx) {
  int64_t to = ctx.getInt("to", 0);
  // Opsets 1-5 name the type as a string ("FLOAT").
  if (ctx.opset < 6) {
    onnx::TensorProto_DataType parsed;
    if (!onnx::TensorProto_DataType_Parse(ctx.getString("to", ""), &parsed))
      return ctx.fail("to: '" + ctx.getString("to", "") + "' is not an ONNX type name");
    to = parsed;
  }
  auto element = onnxElementType(*ctx.builder.getContext(), to);
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
