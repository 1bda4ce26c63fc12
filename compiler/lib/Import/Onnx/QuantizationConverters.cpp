//===- QuantizationConverters.cpp - integer and quantized ONNX ops --------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// ConvInteger, QLinearMatMul and QLinearConv, composed from nn ops the way
// ONNX defines them: integer products accumulate exactly in i32, and
// requantization rounds half to even and saturates, as ONNX Runtime does.
//
//===----------------------------------------------------------------------===//
#include "Converters.h"

#include "openopt/Dialect/NN/ShapeUtils.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

FailureOr<Value> castTo(NodeContext &ctx, Value v, Type element) {
  auto type = typeOf(v);
  if (type.getElementType() == element)
    return v;
  return nn::CastOp::create(ctx.builder, ctx.loc, RankedTensorType::get(type.getShape(), element), v)
      .getResult();
}

// A per-axis parameter (1-D, one entry per slice along `axis` of a rank-r
// tensor) reshaped so that it broadcasts along that axis; scalars as they are.
FailureOr<Value> alongAxis(NodeContext &ctx, Value param, int64_t axis, int64_t rank) {
  auto type = typeOf(param);
  if (type.getRank() == 0 || (type.getRank() == 1 && type.getDimSize(0) == 1 && rank != 1))
    return param;
  if (type.getRank() != 1)
    return ctx.fail("scale and zero point must be scalars or 1-D");
  auto norm = nn::normalizeAxis(axis, rank);
  if (!norm)
    return ctx.fail("axis " + Twine(axis) + " is out of range");
  SmallVector<int64_t> trailing;
  for (int64_t i = *norm + 1; i < rank; ++i)
    trailing.push_back(i - *norm);
  if (trailing.empty())
    return param;
  return ctx.create<nn::UnsqueezeOp>({param}, {ctx.intsAttr("axes", trailing)});
}

// round(x) + zp, saturated to `quantized`'s range and cast to it.
FailureOr<Value> saturate(NodeContext &ctx, Value x, Value zeroPoint, Type quantized) {
  auto rounded = ctx.create<nn::RoundOp>({x});
  if (failed(rounded))
    return failure();
  Value y = *rounded;
  Type f32 = typeOf(x).getElementType();
  if (zeroPoint) {
    auto zp = castTo(ctx, zeroPoint, f32);
    if (failed(zp))
      return failure();
    auto sum = ctx.create<nn::AddOp>({y, *zp});
    if (failed(sum))
      return failure();
    y = *sum;
  }
  unsigned width = quantized.getIntOrFloatBitWidth();
  bool isUnsigned = quantized.isUnsignedInteger();
  double lo = isUnsigned ? 0 : -std::ldexp(1.0, width - 1);
  double hi = isUnsigned ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  auto clipped = ctx.create<nn::ClipOp>({y}, {ctx.f64Attr("min", lo), ctx.f64Attr("max", hi)});
  if (failed(clipped))
    return failure();
  return castTo(ctx, *clipped, quantized);
}

// x - zero_point in i32 (zero point optional).
FailureOr<Value> widen(NodeContext &ctx, Value x, Value zeroPoint, int64_t zpAxis) {
  Type i32 = ctx.builder.getI32Type();
  auto wide = castTo(ctx, x, i32);
  if (failed(wide) || !zeroPoint)
    return wide;
  auto zp = castTo(ctx, zeroPoint, i32);
  if (failed(zp))
    return failure();
  Value z = *zp;
  if (zpAxis >= 0 && typeOf(z).getRank() == 1 && typeOf(z).getDimSize(0) != 1) {
    auto shaped = alongAxis(ctx, z, zpAxis, typeOf(x).getRank());
    if (failed(shaped))
      return failure();
    z = *shaped;
  }
  return ctx.create<nn::SubOp>({*wide, z});
}

} // namespace

Converted convertQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  int64_t axis = ctx.getInt("axis", 1);
  Type quantized = ctx.input(2) ? typeOf(ctx.input(2)).getElementType()
                                : IntegerType::get(ctx.builder.getContext(), 8,
                                                   IntegerType::Unsigned);
  auto xf = castTo(ctx, x, ctx.builder.getF32Type());
  auto scale = alongAxis(ctx, ctx.input(1), axis, rank);
  if (failed(xf) || failed(scale))
    return failure();
  auto scaled = ctx.create<nn::DivOp>({*xf, *scale});
  if (failed(scaled))
    return failure();
  Value zp;
  if (ctx.input(2)) {
    auto z = alongAxis(ctx, ctx.input(2), axis, rank);
    if (failed(z))
      return failure();
    zp = *z;
  }
  return single(saturate(ctx, *scaled, zp, quantized));
}

Converted convertDequantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  int64_t axis = ctx.getInt("axis", 1);
  Type f32 = typeOf(ctx.input(1)).getElementType();
  auto xf = castTo(ctx, x, f32);
  if (failed(xf))
    return failure();
  Value centered = *xf;
  if (ctx.input(2)) {
    auto zp = alongAxis(ctx, ctx.input(2), axis, rank);
    if (failed(zp))
      return failure();
    auto zf = castTo(ctx, *zp, f32);
    if (failed(zf))
      return failure();
    auto sub = ctx.create<nn::SubOp>({centered, *zf});
    if (failed(sub))
      return failure();
    centered = *sub;
  }
  auto scale = alongAxis(ctx, ctx.input(1), axis, rank);
  if (failed(scale))
    return failure();
  return single(ctx.create<nn::MulOp>({centered, *scale}));
}

// y_scale = (max(0, max x) - min(0, min x)) / 255, y_zero_point =
// saturate(round(-min / y_scale)), y = saturate(round(x / y_scale) + zp).
Converted convertDynamicQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  Type f32 = typeOf(x).getElementType();
  Type u8 = IntegerType::get(ctx.builder.getContext(), 8, IntegerType::Unsigned);
  auto all = [&](StringRef op) {
    return ctx.create(op, {x}, {ctx.intsAttr("axes", {}), ctx.intAttr("keepdims", 0)});
  };
  auto maxAll = all(nn::ReduceMaxOp::getOperationName());
  auto minAll = all(nn::ReduceMinOp::getOperationName());
  if (failed(maxAll) || failed(minAll))
    return failure();
  Value zero = ctx.scalarConstant(f32, 0.0);
  auto hi = ctx.create<nn::MaxOp>({(*maxAll)[0], zero});
  auto lo = ctx.create<nn::MinOp>({(*minAll)[0], zero});
  if (failed(hi) || failed(lo))
    return failure();
  auto range = ctx.create<nn::SubOp>({*hi, *lo});
  if (failed(range))
    return failure();
  auto scale = ctx.create<nn::DivOp>({*range, ctx.scalarConstant(f32, 255.0)});
  if (failed(scale))
    return failure();
  auto negLo = ctx.create<nn::NegOp>({*lo});
  if (failed(negLo))
    return failure();
  auto zpF = ctx.create<nn::DivOp>({*negLo, *scale});
  if (failed(zpF))
    return failure();
  auto zp = saturate(ctx, *zpF, Value(), u8);
  auto scaled = ctx.create<nn::DivOp>({x, *scale});
  if (failed(zp) || failed(scaled))
    return failure();
  auto y = saturate(ctx, *scaled, *zp, u8);
  if (failed(y))
    return failure();
  return Values{*y, *scale, *zp};
}

Converted convertMatMulInteger(NodeContext &ctx) {
  // A's zero point may be per row (axis 0 of a 2-D A), B's per column.
  auto a = widen(ctx, ctx.input(0), ctx.input(2), typeOf(ctx.input(0)).getRank() - 2);
  auto b = widen(ctx, ctx.input(1), ctx.input(3), -1);
  if (failed(a) || failed(b))
    return failure();
  return single(ctx.create<nn::MatMulOp>({*a, *b}));
}

Converted convertConvInteger(NodeContext &ctx) {
  auto x = widen(ctx, ctx.input(0), ctx.input(2), -1);
  auto w = widen(ctx, ctx.input(1), ctx.input(3), 0);
  if (failed(x) || failed(w))
    return failure();
  onnx::NodeProto conv = ctx.node;
  SmallVector<Value> operands = {*x, *w};
  NodeContext inner(conv, ctx.builder, ctx.loc, ctx.opset, operands, ctx.errorString());
  return convertConv(inner);
}

// acc * (a_scale * b_scale / y_scale), requantized into y's type.
static Converted requantize(NodeContext &ctx, Value acc, Value inScale, Value wScale,
                            Value outScale, Value outZeroPoint, int64_t channelAxis) {
  Type f32 = ctx.builder.getF32Type();
  auto accF = castTo(ctx, acc, f32);
  if (failed(accF))
    return failure();
  int64_t rank = typeOf(acc).getRank();
  auto w = channelAxis >= 0 ? alongAxis(ctx, wScale, channelAxis, rank) : FailureOr<Value>(wScale);
  if (failed(w))
    return failure();
  auto multiplier = ctx.create<nn::MulOp>({inScale, *w});
  if (failed(multiplier))
    return failure();
  auto divided = ctx.create<nn::DivOp>({*multiplier, outScale});
  if (failed(divided))
    return failure();
  auto scaled = ctx.create<nn::MulOp>({*accF, *divided});
  if (failed(scaled))
    return failure();
  return single(saturate(ctx, *scaled, outZeroPoint, typeOf(outZeroPoint).getElementType()));
}

Converted convertQLinearMatMul(NodeContext &ctx) {
  int64_t aRank = typeOf(ctx.input(0)).getRank();
  auto a = widen(ctx, ctx.input(0), ctx.input(2), aRank - 2);
  auto b = widen(ctx, ctx.input(3), ctx.input(5), -1);
  if (failed(a) || failed(b))
    return failure();
  auto acc = ctx.create<nn::MatMulOp>({*a, *b});
  if (failed(acc))
    return failure();
  return requantize(ctx, *acc, ctx.input(1), ctx.input(4), ctx.input(6), ctx.input(7), -1);
}

Converted convertQLinearConv(NodeContext &ctx) {
  auto x = widen(ctx, ctx.input(0), ctx.input(2), -1);
  auto w = widen(ctx, ctx.input(3), ctx.input(5), 0);
  if (failed(x) || failed(w))
    return failure();
  SmallVector<Value> operands = {*x, *w};
  if (ctx.input(8))
    operands.push_back(ctx.input(8)); // i32 bias, added before requantization
  onnx::NodeProto conv = ctx.node;
  NodeContext inner(conv, ctx.builder, ctx.loc, ctx.opset, operands, ctx.errorString());
  auto acc = convertConv(inner);
  if (failed(acc))
    return failure();
  return requantize(ctx, (*acc)[0], ctx.input(1), ctx.input(4), ctx.input(6), ctx.input(7), 1);
}

} // namespace openopt::onnx_import
