//===- ElementwiseLowering.cpp - element-wise nn ops to linalg.generic ----===//
//
// Each op becomes one broadcasting linalg.generic whose body is the scalar
// formula; linalg's elementwise fusion later merges chains of them.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>
#include <numbers>

using namespace mlir;

namespace openopt::lowering {
namespace {

bool isFloat(Type t) { return isa<FloatType>(t); }

Value cst(OpBuilder &b, Location loc, Type t, double v) {
  return scalarConstant(b, loc, t, v);
}

// max/min that propagate NaN like ONNX Runtime does.
Value maxOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  if (x.getType().isUnsignedInteger())
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}
Value minOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  if (x.getType().isUnsignedInteger())
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value negExp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, cst(b, loc, t, 1.0),
                               arith::AddFOp::create(b, loc, cst(b, loc, t, 1.0), negExp));
}

// The scalar formula of a unary op, or null when the op is not one.
Value unaryBody(Operation *op, OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](nn::SqrtOp) { return math::SqrtOp::create(b, loc, x); })
      .Case([&](nn::ExpOp) { return math::ExpOp::create(b, loc, x); })
      .Case([&](nn::LogOp) { return math::LogOp::create(b, loc, x); })
      .Case([&](nn::NegOp) -> Value {
        if (isFloat(t))
          return arith::NegFOp::create(b, loc, x);
        return arith::SubIOp::create(b, loc, cst(b, loc, t, 0), x);
      })
      .Case([&](nn::AbsOp) -> Value {
        if (isFloat(t))
          return math::AbsFOp::create(b, loc, x);
        return math::AbsIOp::create(b, loc, x);
      })
      .Case([&](nn::ReciprocalOp) {
        return arith::DivFOp::create(b, loc, cst(b, loc, t, 1.0), x);
      })
      .Case([&](nn::TanhOp) { return math::TanhOp::create(b, loc, x); })
      .Case([&](nn::SigmoidOp) { return sigmoid(b, loc, x); })
      .Case([&](nn::HardSwishOp) {
        Value gate = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, x, cst(b, loc, t, 1.0 / 6.0)),
            cst(b, loc, t, 0.5));
        gate = minOf(b, loc, maxOf(b, loc, gate, cst(b, loc, t, 0)), cst(b, loc, t, 1));
        return arith::MulFOp::create(b, loc, x, gate);
      })
      .Case([&](nn::ReluOp) { return maxOf(b, loc, x, cst(b, loc, t, 0)); })
      .Case([&](nn::ErfOp) { return math::ErfOp::create(b, loc, x); })
      .Case([&](nn::NotOp) {
        return arith::XOrIOp::create(b, loc, x, cst(b, loc, t, 1));
      })
      .Case([&](nn::HardSigmoidOp h) {
        Value y = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, x, cst(b, loc, t, h.getAlpha().convertToDouble())),
            cst(b, loc, t, h.getBeta().convertToDouble()));
        return minOf(b, loc, maxOf(b, loc, y, cst(b, loc, t, 0)), cst(b, loc, t, 1));
      })
      .Case([&](nn::LeakyReluOp l) {
        Value scaled = arith::MulFOp::create(b, loc, x, cst(b, loc, t, l.getAlpha().convertToDouble()));
        Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, x,
                                               cst(b, loc, t, 0));
        return arith::SelectOp::create(b, loc, positive, x, scaled);
      })
      .Case([&](nn::ClipOp c) {
        Value y = x;
        if (auto lo = c.getMin())
          y = maxOf(b, loc, y, cst(b, loc, t, lo->convertToDouble()));
        if (auto hi = c.getMax())
          y = minOf(b, loc, y, cst(b, loc, t, hi->convertToDouble()));
        return y;
      })
      .Case([&](nn::SinOp) { return math::SinOp::create(b, loc, x); })
      .Case([&](nn::CosOp) { return math::CosOp::create(b, loc, x); })
      .Case([&](nn::TanOp) { return math::TanOp::create(b, loc, x); })
      .Case([&](nn::AsinOp) { return math::AsinOp::create(b, loc, x); })
      .Case([&](nn::AcosOp) { return math::AcosOp::create(b, loc, x); })
      .Case([&](nn::AtanOp) { return math::AtanOp::create(b, loc, x); })
      .Case([&](nn::SinhOp) { return math::SinhOp::create(b, loc, x); })
      .Case([&](nn::CoshOp) { return math::CoshOp::create(b, loc, x); })
      .Case([&](nn::AsinhOp) { return math::AsinhOp::create(b, loc, x); })
      .Case([&](nn::AcoshOp) { return math::AcoshOp::create(b, loc, x); })
      .Case([&](nn::AtanhOp) { return math::AtanhOp::create(b, loc, x); })
      .Case([&](nn::FloorOp) { return math::FloorOp::create(b, loc, x); })
      .Case([&](nn::CeilOp) { return math::CeilOp::create(b, loc, x); })
      .Case([&](nn::RoundOp) { return math::RoundEvenOp::create(b, loc, x); })
      .Case([&](nn::SignOp) -> Value {
        Value zero = cst(b, loc, t, 0);
        Value pos, neg;
        if (isFloat(t)) {
          pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
          neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
        } else {
          pos = arith::CmpIOp::create(b, loc, t.isUnsignedInteger() ? arith::CmpIPredicate::ugt
                                                                     : arith::CmpIPredicate::sgt,
                                      x, zero);
          neg = t.isUnsignedInteger()
                    ? Value(arith::ConstantIntOp::create(b, loc, 0, 1))
                    : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero));
        }
        Value one = cst(b, loc, t, 1), minusOne = cst(b, loc, t, -1);
        return arith::SelectOp::create(b, loc, pos, one,
                                       arith::SelectOp::create(b, loc, neg, minusOne, zero));
      })
      .Case([&](nn::SoftplusOp) {
        return math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, x));
      })
      .Case([&](nn::SoftsignOp) {
        return arith::DivFOp::create(
            b, loc, x, arith::AddFOp::create(b, loc, cst(b, loc, t, 1), math::AbsFOp::create(b, loc, x)));
      })
      .Case([&](nn::EluOp e) -> Value {
        Value neg = arith::MulFOp::create(b, loc, cst(b, loc, t, e.getAlpha().convertToDouble()),
                                          math::ExpM1Op::create(b, loc, x));
        Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, x, cst(b, loc, t, 0));
        return arith::SelectOp::create(b, loc, positive, x, neg);
      })
      .Case([&](nn::SeluOp e) -> Value {
        Value neg = arith::MulFOp::create(b, loc, cst(b, loc, t, e.getAlpha().convertToDouble()),
                                          math::ExpM1Op::create(b, loc, x));
        Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, cst(b, loc, t, 0));
        return arith::MulFOp::create(b, loc, cst(b, loc, t, e.getGamma().convertToDouble()),
                                     arith::SelectOp::create(b, loc, positive, x, neg));
      })
      .Case([&](nn::CeluOp e) -> Value {
        double alpha = e.getAlpha().convertToDouble();
        Value scaled = arith::MulFOp::create(
            b, loc, cst(b, loc, t, alpha),
            math::ExpM1Op::create(b, loc, arith::DivFOp::create(b, loc, x, cst(b, loc, t, alpha))));
        return arith::AddFOp::create(b, loc, maxOf(b, loc, x, cst(b, loc, t, 0)),
                                     minOf(b, loc, scaled, cst(b, loc, t, 0)));
      })
      .Case([&](nn::ThresholdedReluOp e) -> Value {
        Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                            cst(b, loc, t, e.getAlpha().convertToDouble()));
        return arith::SelectOp::create(b, loc, above, x, cst(b, loc, t, 0));
      })
      .Case([&](nn::ShrinkOp e) -> Value {
        double lambd = e.getLambd().convertToDouble(), bias = e.getBias().convertToDouble();
        Value below, above;
        if (isFloat(t)) {
          below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, cst(b, loc, t, -lambd));
          above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, cst(b, loc, t, lambd));
          return arith::SelectOp::create(
              b, loc, below, arith::AddFOp::create(b, loc, x, cst(b, loc, t, bias)),
              arith::SelectOp::create(b, loc, above,
                                      arith::SubFOp::create(b, loc, x, cst(b, loc, t, bias)),
                                      cst(b, loc, t, 0)));
        }
        // Integers compare in f64 against the float thresholds.
        Value xf = t.isUnsignedInteger() ? Value(arith::UIToFPOp::create(b, loc, b.getF64Type(), x))
                                         : Value(arith::SIToFPOp::create(b, loc, b.getF64Type(), x));
        below = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, xf,
                                      arith::ConstantOp::create(b, loc, b.getF64FloatAttr(-lambd)));
        above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, xf,
                                      arith::ConstantOp::create(b, loc, b.getF64FloatAttr(lambd)));
        Value biasInt = cst(b, loc, t, bias);
        return arith::SelectOp::create(
            b, loc, below, arith::AddIOp::create(b, loc, x, biasInt),
            arith::SelectOp::create(b, loc, above, arith::SubIOp::create(b, loc, x, biasInt),
                                    cst(b, loc, t, 0)));
      })
      .Case([&](nn::GeluOp g) -> Value {
        Value half = arith::MulFOp::create(b, loc, x, cst(b, loc, t, 0.5));
        Value inner;
        if (g.getApproximate() == "tanh") {
          Value cube = arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
          Value poly = arith::AddFOp::create(
              b, loc, x, arith::MulFOp::create(b, loc, cube, cst(b, loc, t, 0.044715)));
          inner = math::TanhOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, poly,
                                    cst(b, loc, t, std::sqrt(2.0 / std::numbers::pi))));
        } else {
          inner = math::ErfOp::create(
              b, loc, arith::MulFOp::create(b, loc, x, cst(b, loc, t, 1.0 / std::sqrt(2.0))));
        }
        return arith::MulFOp::create(
            b, loc, half, arith::AddFOp::create(b, loc, inner, cst(b, loc, t, 1.0)));
      })
      .Default([](Operation *) { return Value(); });
}

// A splat float constant operand, for strength-reducing Pow.
std::optional<double> splatValue(Value v) {
  DenseElementsAttr dense;
  if (!matchPattern(v, m_Constant(&dense)) || !dense.isSplat())
    return std::nullopt;
  if (auto f = dyn_cast<FloatType>(dense.getElementType()))
    return dense.getSplatValue<APFloat>().convertToDouble();
  return (double)dense.getSplatValue<APInt>().getSExtValue();
}

Value binaryBody(Operation *op, OpBuilder &b, Location loc, Value x, Value y) {
  bool fp = isFloat(x.getType());
  bool isUnsigned = x.getType().isUnsignedInteger();
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](nn::AddOp) -> Value {
        return fp ? Value(arith::AddFOp::create(b, loc, x, y)) : arith::AddIOp::create(b, loc, x, y);
      })
      .Case([&](nn::SubOp) -> Value {
        return fp ? Value(arith::SubFOp::create(b, loc, x, y)) : arith::SubIOp::create(b, loc, x, y);
      })
      .Case([&](nn::MulOp) -> Value {
        return fp ? Value(arith::MulFOp::create(b, loc, x, y)) : arith::MulIOp::create(b, loc, x, y);
      })
      .Case([&](nn::DivOp) -> Value {
        if (fp)
          return arith::DivFOp::create(b, loc, x, y);
        return isUnsigned ? Value(arith::DivUIOp::create(b, loc, x, y))
                          : arith::DivSIOp::create(b, loc, x, y);
      })
      .Case([&](nn::PowOp) -> Value {
        if (fp)
          return math::PowFOp::create(b, loc, x, y);
        // Integers: through f64, rounded back (exact for results below 2^53).
        Type t = x.getType();
        auto toF = [&](Value v) -> Value {
          return isUnsigned ? Value(arith::UIToFPOp::create(b, loc, b.getF64Type(), v))
                            : Value(arith::SIToFPOp::create(b, loc, b.getF64Type(), v));
        };
        Value r = math::RoundEvenOp::create(b, loc, math::PowFOp::create(b, loc, toF(x), toF(y)));
        return isUnsigned ? Value(arith::FPToUIOp::create(b, loc, t, r))
                          : Value(arith::FPToSIOp::create(b, loc, t, r));
      })
      .Case([&](nn::MinOp) { return minOf(b, loc, x, y); })
      .Case([&](nn::MaxOp) { return maxOf(b, loc, x, y); })
      .Case([&](nn::EqualOp) -> Value {
        if (fp)
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, y);
        return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y);
      })
      .Case([&](nn::LessOp) -> Value {
        if (fp)
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, y);
        return arith::CmpIOp::create(b, loc, isUnsigned ? arith::CmpIPredicate::ult
                                                        : arith::CmpIPredicate::slt, x, y);
      })
      .Case([&](nn::GreaterOp) -> Value {
        if (fp)
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, y);
        return arith::CmpIOp::create(b, loc, isUnsigned ? arith::CmpIPredicate::ugt
                                                        : arith::CmpIPredicate::sgt, x, y);
      })
      .Case([&](nn::GreaterOrEqualOp) -> Value {
        if (fp)
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, x, y);
        return arith::CmpIOp::create(b, loc, isUnsigned ? arith::CmpIPredicate::uge
                                                        : arith::CmpIPredicate::sge, x, y);
      })
      .Case([&](nn::LessOrEqualOp) -> Value {
        if (fp)
          return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x, y);
        return arith::CmpIOp::create(b, loc, isUnsigned ? arith::CmpIPredicate::ule
                                                        : arith::CmpIPredicate::sle, x, y);
      })
      .Case([&](nn::AndOp) { return arith::AndIOp::create(b, loc, x, y); })
      .Case([&](nn::OrOp) { return arith::OrIOp::create(b, loc, x, y); })
      .Case([&](nn::XorOp) { return arith::XOrIOp::create(b, loc, x, y); })
      .Case([&](nn::PReluOp) -> Value {
        Type t = x.getType();
        if (fp) {
          Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, cst(b, loc, t, 0));
          return arith::SelectOp::create(b, loc, neg, arith::MulFOp::create(b, loc, x, y), x);
        }
        Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, cst(b, loc, t, 0));
        return arith::SelectOp::create(b, loc, neg, arith::MulIOp::create(b, loc, x, y), x);
      })
      .Case([&](nn::ModOp m) -> Value {
        if (fp)
          return arith::RemFOp::create(b, loc, x, y); // fmod: the dividend's sign
        if (isUnsigned)
          return arith::RemUIOp::create(b, loc, x, y);
        Value r = arith::RemSIOp::create(b, loc, x, y);
        if (m.getFmod())
          return r;
        // Python's %: a nonzero remainder takes the divisor's sign.
        Type t = x.getType();
        Value zero = cst(b, loc, t, 0);
        Value nonzero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
        Value rNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
        Value yNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero);
        Value differ = arith::XOrIOp::create(b, loc, rNeg, yNeg);
        Value fix = arith::AndIOp::create(b, loc, nonzero, differ);
        return arith::SelectOp::create(b, loc, fix, arith::AddIOp::create(b, loc, r, y), r);
      })
      .Case([&](nn::BitShiftOp s) -> Value {
        if (s.getDirection() == "LEFT")
          return arith::ShLIOp::create(b, loc, x, y);
        return arith::ShRUIOp::create(b, loc, x, y);
      })
      .Default([](Operation *) { return Value(); });
}

struct LowerUnary : RewritePattern {
  LowerUnary(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<nn::SqrtOp, nn::ExpOp, nn::LogOp, nn::NegOp, nn::AbsOp, nn::ReciprocalOp,
             nn::TanhOp, nn::SigmoidOp, nn::HardSwishOp, nn::ReluOp, nn::ErfOp, nn::NotOp,
             nn::HardSigmoidOp, nn::LeakyReluOp, nn::ClipOp, nn::GeluOp, nn::SinOp, nn::CosOp,
             nn::TanOp, nn::AsinOp, nn::AcosOp, nn::AtanOp, nn::SinhOp, nn::CoshOp, nn::AsinhOp,
             nn::AcoshOp, nn::AtanhOp, nn::FloorOp, nn::CeilOp, nn::RoundOp, nn::SignOp,
             nn::SoftplusOp, nn::SoftsignOp, nn::EluOp, nn::SeluOp, nn::CeluOp,
             nn::ThresholdedReluOp, nn::ShrinkOp>(op))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    // Half-precision floats compute in f32 (libm and the approximations are f32).
    Type element = type.getElementType();
    bool widen = element.isF16() || element.isBF16();
    Value result = elementwise(rewriter, op->getLoc(), type, op->getOperand(0),
                               [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
                                 if (!widen || isa<nn::NegOp, nn::AbsOp, nn::ReluOp>(op))
                                   return unaryBody(op, b, loc, args[0]);
                                 Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), args[0]);
                                 return arith::TruncFOp::create(b, loc, element,
                                                                unaryBody(op, b, loc, wide));
                               });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerBinary : RewritePattern {
  LowerBinary(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<nn::AddOp, nn::SubOp, nn::MulOp, nn::DivOp, nn::PowOp, nn::MinOp, nn::MaxOp,
             nn::EqualOp, nn::LessOp, nn::GreaterOp, nn::GreaterOrEqualOp, nn::LessOrEqualOp,
             nn::AndOp, nn::OrOp, nn::XorOp, nn::PReluOp, nn::ModOp, nn::BitShiftOp>(op))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Location loc = op->getLoc();
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    // x^2, x^0.5 and x^1 are common in exported norms; powf is slow and
    // does not vectorize.
    if (auto exponent = isa<nn::PowOp>(op) ? splatValue(rhs) : std::nullopt;
        exponent && isFloat(type.getElementType()) && lhs.getType() == type &&
        (*exponent == 2.0 || *exponent == 0.5 || *exponent == 1.0 || *exponent == 3.0)) {
      double e = *exponent;
      rewriter.replaceOp(op, elementwise(rewriter, loc, type, lhs,
                                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                           Value x = a[0];
                                           if (e == 0.5)
                                             return math::SqrtOp::create(b, l, x);
                                           if (e == 1.0)
                                             return x;
                                           Value sq = arith::MulFOp::create(b, l, x, x);
                                           return e == 2.0 ? sq : arith::MulFOp::create(b, l, sq, x);
                                         }));
      return success();
    }
    Value result = elementwise(rewriter, loc, type, {lhs, rhs},
                               [&](OpBuilder &b, Location l, ValueRange args) {
                                 return binaryBody(op, b, l, args[0], args[1]);
                               });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerFloatTest : RewritePattern {
  LowerFloatTest(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<nn::IsNaNOp, nn::IsInfOp>(op))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    rewriter.replaceOp(op, elementwise(rewriter, op->getLoc(), type, op->getOperand(0),
                                       [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
                                         Value x = a[0];
                                         if (isa<nn::IsNaNOp>(op))
                                           return arith::CmpFOp::create(
                                               b, loc, arith::CmpFPredicate::UNO, x, x);
                                         auto inf = cast<nn::IsInfOp>(op);
                                         Type t = x.getType();
                                         double big = std::numeric_limits<double>::infinity();
                                         Value result = arith::ConstantIntOp::create(b, loc, 0, 1);
                                         if (inf.getDetectPositive())
                                           result = arith::OrIOp::create(
                                               b, loc, result,
                                               arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                                                     x, cst(b, loc, t, big)));
                                         if (inf.getDetectNegative())
                                           result = arith::OrIOp::create(
                                               b, loc, result,
                                               arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                                                     x, cst(b, loc, t, -big)));
                                         return result;
                                       }));
    return success();
  }
};

struct LowerWhere : OpRewritePattern<nn::WhereOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::WhereOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, elementwise(rewriter, op.getLoc(), op.getType(), op->getOperands(),
                                       [](OpBuilder &b, Location loc, ValueRange a) -> Value {
                                         return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
                                       }));
    return success();
  }
};

// Scalar conversion between signless element types with ONNX Cast semantics
// (bools widen as 0/1).
Value convertScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromFloat = dyn_cast<FloatType>(from), toFloat = dyn_cast<FloatType>(to);
  if (to.isInteger(1)) {
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, cst(b, loc, from, 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, cst(b, loc, from, 0));
  }
  // Unsigned types are still ui<N> here; the lowering makes every type
  // signless once its ops are built (see convertToSignless).
  bool fromUnsigned = from.isInteger(1) || from.isUnsignedInteger();
  if (fromFloat && toFloat && to.isBF16() && from.isF32()) {
    // f32 -> bf16 keeps the top 16 bits (truncation), as ONNX's reference
    // and ONNX Runtime's BFloat16 conversion do.
    Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), x);
    Value high = arith::ShRUIOp::create(b, loc, bits, arith::ConstantIntOp::create(b, loc, b.getI32Type(), 16));
    Value half = arith::TruncIOp::create(b, loc, b.getI16Type(), high);
    // NaN stays NaN (a truncated NaN payload could become an infinity).
    Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
    Value nan = arith::ConstantIntOp::create(b, loc, b.getI16Type(), 0x7FC0);
    return arith::BitcastOp::create(b, loc, to, arith::SelectOp::create(b, loc, isNan, nan, half));
  }
  if (fromFloat && toFloat)
    return fromFloat.getWidth() < toFloat.getWidth()
               ? Value(arith::ExtFOp::create(b, loc, to, x))
               : fromFloat.getWidth() > toFloat.getWidth()
                     ? Value(arith::TruncFOp::create(b, loc, to, x))
                     // f16 <-> bf16: through f32.
                     : Value(arith::TruncFOp::create(
                           b, loc, to, arith::ExtFOp::create(b, loc, b.getF32Type(), x)));
  if (fromFloat)
    return to.isUnsignedInteger() ? Value(arith::FPToUIOp::create(b, loc, to, x))
                                  : Value(arith::FPToSIOp::create(b, loc, to, x));
  if (toFloat)
    return fromUnsigned ? Value(arith::UIToFPOp::create(b, loc, to, x))
                        : Value(arith::SIToFPOp::create(b, loc, to, x));
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, to, x))
                        : Value(arith::ExtSIOp::create(b, loc, to, x));
  if (fw > tw)
    return arith::TruncIOp::create(b, loc, to, x);
  // Same width, other signedness: the same bits.
  return UnrealizedConversionCastOp::create(b, loc, to, x).getResult(0);
}

struct LowerCast : OpRewritePattern<nn::CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CastOp op, PatternRewriter &rewriter) const override {
    Type to = op.getType().getElementType();
    rewriter.replaceOp(op, elementwise(rewriter, op.getLoc(), op.getType(), op.getInput(),
                                       [&](OpBuilder &b, Location l, ValueRange a) {
                                         return convertScalar(b, l, a[0], to);
                                       }));
    return success();
  }
};

template <typename OpTy>
struct LowerPassThrough : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op->getOperand(0));
    return success();
  }
};

struct LowerConstant : OpRewritePattern<nn::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::ConstantOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerUnary, LowerBinary, LowerFloatTest, LowerWhere, LowerCast, LowerConstant,
               LowerPassThrough<nn::IdentityOp>, LowerPassThrough<nn::DropoutOp>>(ctx);
}

} // namespace openopt::lowering
