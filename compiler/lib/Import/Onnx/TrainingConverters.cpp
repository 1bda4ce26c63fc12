//===- TrainingConverters.cpp - the optimizer update ops ------------------===//
//
// Adagrad, Momentum and Adam of the ai.onnx.preview.training domain are
// element-wise formulas on the tensors they update; they are composed from
// nn ops exactly as the ONNX specification writes them.
//
//===----------------------------------------------------------------------===//
#include "Converters.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {

// A little arithmetic on values, failing once anything fails.
class Formula {
public:
  explicit Formula(NodeContext &ctx) : ctx(ctx) {}
  bool ok() const { return good; }
  Value c(Value like, double v) {
    return ctx.scalarConstant(cast<RankedTensorType>(like.getType()).getElementType(), v);
  }
  Value add(Value a, Value b) { return make<nn::AddOp>(a, b); }
  Value sub(Value a, Value b) { return make<nn::SubOp>(a, b); }
  Value mul(Value a, Value b) { return make<nn::MulOp>(a, b); }
  Value div(Value a, Value b) { return make<nn::DivOp>(a, b); }
  Value pow(Value a, Value b) { return make<nn::PowOp>(a, b); }
  Value sqrt(Value a) {
    if (!good)
      return a;
    auto r = ctx.create<nn::SqrtOp>({a});
    good &= succeeded(r);
    return good ? *r : a;
  }
  Value toFloat(Value v, Value like) {
    if (!good)
      return v;
    auto t = cast<RankedTensorType>(v.getType());
    Type e = cast<RankedTensorType>(like.getType()).getElementType();
    return nn::CastOp::create(ctx.builder, ctx.loc, RankedTensorType::get(t.getShape(), e), v);
  }
  Value positive(Value t) { // t > 0, for an integer count
    if (!good)
      return t;
    auto zero = ctx.scalarConstant(cast<RankedTensorType>(t.getType()).getElementType(), 0);
    auto r = ctx.create<nn::GreaterOp>({t, zero});
    good &= succeeded(r);
    return good ? *r : t;
  }
  Value select(Value c, Value a, Value b) {
    if (!good)
      return a;
    auto r = ctx.create<nn::WhereOp>({c, a, b});
    good &= succeeded(r);
    return good ? *r : a;
  }

private:
  template <typename OpTy> Value make(Value a, Value b) {
    if (!good)
      return a;
    auto r = ctx.create<OpTy>({a, b});
    good &= succeeded(r);
    return good ? *r : a;
  }
  NodeContext &ctx;
  bool good = true;
};

// The n updated tensors: inputs are R, T, then `groups` groups of n.
FailureOr<size_t> tensorsPerGroup(NodeContext &ctx, size_t groups) {
  if (ctx.numInputs() < 2 || (ctx.numInputs() - 2) % groups != 0)
    return ctx.fail("expects R, T and " + Twine(groups) + " groups of equally many tensors");
  return (ctx.numInputs() - 2) / groups;
}

} // namespace

Converted convertAdagrad(NodeContext &ctx) {
  auto n = tensorsPerGroup(ctx, 3);
  if (failed(n))
    return failure();
  Formula f(ctx);
  double decay = ctx.getFloat("decay_factor", 0), eps = ctx.getFloat("epsilon", 0),
         norm = ctx.getFloat("norm_coefficient", 0);
  Value r = ctx.input(0), t = f.toFloat(ctx.input(1), ctx.input(0));
  Value rate = f.div(r, f.add(f.c(r, 1), f.mul(t, f.c(r, decay))));
  Values xs, hs;
  for (size_t i = 0; i < *n; ++i) {
    Value x = ctx.input(2 + i), g = ctx.input(2 + *n + i), h = ctx.input(2 + 2 * *n + i);
    Value reg = f.add(f.mul(f.c(x, norm), x), g);
    Value hNew = f.add(h, f.mul(reg, reg));
    Value adaptive = f.add(f.sqrt(hNew), f.c(x, eps));
    xs.push_back(f.sub(x, f.div(f.mul(rate, reg), adaptive)));
    hs.push_back(hNew);
  }
  if (!f.ok())
    return failure();
  xs.append(hs.begin(), hs.end());
  return xs;
}

Converted convertMomentum(NodeContext &ctx) {
  auto n = tensorsPerGroup(ctx, 3);
  if (failed(n))
    return failure();
  std::string mode = ctx.getString("mode", "standard");
  if (mode != "standard" && mode != "nesterov")
    return ctx.fail("mode '" + mode + "' is not standard or nesterov");
  Formula f(ctx);
  double alpha = ctx.getFloat("alpha", 0), beta = ctx.getFloat("beta", 0),
         norm = ctx.getFloat("norm_coefficient", 0);
  Value r = ctx.input(0);
  Value started = f.positive(ctx.input(1));
  Values xs, vs;
  for (size_t i = 0; i < *n; ++i) {
    Value x = ctx.input(2 + i), g = ctx.input(2 + *n + i), v = ctx.input(2 + 2 * *n + i);
    Value reg = f.add(f.mul(f.c(x, norm), x), g);
    Value betaNow = f.select(started, f.c(x, beta), f.c(x, 1));
    Value vNew = f.add(f.mul(f.c(x, alpha), v), f.mul(betaNow, reg));
    Value step = mode == "standard" ? vNew : f.add(reg, f.mul(f.c(x, alpha), vNew));
    xs.push_back(f.sub(x, f.mul(r, step)));
    vs.push_back(vNew);
  }
  if (!f.ok())
    return failure();
  xs.append(vs.begin(), vs.end());
  return xs;
}

Converted convertAdam(NodeContext &ctx) {
  auto n = tensorsPerGroup(ctx, 4);
  if (failed(n))
    return failure();
  Formula f(ctx);
  double alpha = ctx.getFloat("alpha", 0.9), beta = ctx.getFloat("beta", 0.999),
         eps = ctx.getFloat("epsilon", 0), norm = ctx.getFloat("norm_coefficient", 0),
         post = ctx.getFloat("norm_coefficient_post", 0);
  Value r = ctx.input(0);
  Value t = f.toFloat(ctx.input(1), r);
  Value started = f.positive(ctx.input(1));
  // R * sqrt(1 - beta^T) / (1 - alpha^T) once T > 0.
  Value corrected = f.div(f.mul(r, f.sqrt(f.sub(f.c(r, 1), f.pow(f.c(r, beta), t)))),
                          f.sub(f.c(r, 1), f.pow(f.c(r, alpha), t)));
  Value rate = f.select(started, corrected, r);
  Values xs, vs, hs;
  for (size_t i = 0; i < *n; ++i) {
    Value x = ctx.input(2 + i), g = ctx.input(2 + *n + i), v = ctx.input(2 + 2 * *n + i),
          h = ctx.input(2 + 3 * *n + i);
    Value reg = f.add(f.mul(f.c(x, norm), x), g);
    Value vNew = f.add(f.mul(f.c(x, alpha), v), f.mul(f.c(x, 1 - alpha), reg));
    Value hNew = f.add(f.mul(f.c(x, beta), h), f.mul(f.c(x, 1 - beta), f.mul(reg, reg)));
    Value denom = f.add(f.sqrt(hNew), f.c(x, eps));
    Value xNew = f.sub(x, f.mul(rate, f.div(vNew, denom)));
    xs.push_back(f.mul(f.c(x, 1 - post), xNew));
    vs.push_back(vNew);
    hs.push_back(hNew);
  }
  if (!f.ok())
    return failure();
  xs.append(vs.begin(), vs.end());
  xs.append(hs.begin(), hs.end());
  return xs;
}

} // namespace openopt::onnx_import
