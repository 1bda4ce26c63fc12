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
  return arith::MaxSIOp::create(b, loc, x, y);
}
Value minOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
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
        return math::IPowIOp::create(b, loc, x, y);
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
      .Default([](Operation *) { return Value(); });
}

struct LowerUnary : RewritePattern {
  LowerUnary(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<nn::SqrtOp, nn::ExpOp, nn::LogOp, nn::NegOp, nn::AbsOp, nn::ReciprocalOp,
             nn::TanhOp, nn::SigmoidOp, nn::HardSwishOp, nn::ReluOp, nn::ErfOp, nn::NotOp,
             nn::HardSigmoidOp, nn::LeakyReluOp, nn::ClipOp, nn::GeluOp>(op))
      return failure();
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Value result = elementwise(rewriter, op->getLoc(), type, op->getOperand(0),
                               [&](OpBuilder &b, Location loc, ValueRange args) {
                                 return unaryBody(op, b, loc, args[0]);
                               });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerBinary : RewritePattern {
  LowerBinary(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<nn::AddOp, nn::SubOp, nn::MulOp, nn::DivOp, nn::PowOp, nn::MinOp, nn::MaxOp,
             nn::EqualOp, nn::LessOp, nn::GreaterOp>(op))
      return failure();
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Location loc = op->getLoc();
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    // x^2, x^0.5 and x^1 are common in exported norms; powf is slow and
    // does not vectorize.
    if (auto exponent = isa<nn::PowOp>(op) ? splatValue(rhs) : std::nullopt;
        exponent && isFloat(type.getElementType()) &&
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

struct LowerWhere : OpRewritePattern<nn::WhereOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::WhereOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
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
  bool fromBool = from.isInteger(1);
  if (fromFloat && toFloat)
    return fromFloat.getWidth() < toFloat.getWidth()
               ? Value(arith::ExtFOp::create(b, loc, to, x))
               : Value(arith::TruncFOp::create(b, loc, to, x));
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, to, x);
  if (toFloat)
    return fromBool ? Value(arith::UIToFPOp::create(b, loc, to, x))
                    : Value(arith::SIToFPOp::create(b, loc, to, x));
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return fromBool ? Value(arith::ExtUIOp::create(b, loc, to, x))
                    : Value(arith::ExtSIOp::create(b, loc, to, x));
  if (fw > tw)
    return arith::TruncIOp::create(b, loc, to, x);
  return x;
}

struct LowerCast : OpRewritePattern<nn::CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::CastOp op, PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    // arith works on signless integers only; unsigned (ui8) tensors would
    // need the whole function converted to signless types first.
    if (op.getInput().getType().getElementType().isUnsignedInteger() ||
        op.getType().getElementType().isUnsignedInteger())
      return op.emitError("Cast: unsigned integer tensors (uint8) are not supported by the CPU "
                          "lowering yet"),
             failure();
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
  patterns.add<LowerUnary, LowerBinary, LowerWhere, LowerCast, LowerConstant,
               LowerPassThrough<nn::IdentityOp>, LowerPassThrough<nn::DropoutOp>>(ctx);
}

} // namespace openopt::lowering
