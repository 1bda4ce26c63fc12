//===- GradientConverter.cpp - ai.onnx.preview.training Gradient ---------===//
//
// Gradient(xs..., y) is reverse-mode differentiation of the graph computed so
// far: starting from dy/dy = 1, each nn op between the xs and y passes its
// result's gradient to its operands by the op's derivative, summed where a
// value feeds several ops and summed over broadcast dimensions.
//
//===----------------------------------------------------------------------===//
#include "Converters.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace openopt::onnx_import {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

class Differentiator {
public:
  explicit Differentiator(NodeContext &ctx) : ctx(ctx) {}

  /// d y / d x for each x, or failure with the node's error set.
  FailureOr<SmallVector<Value>> run(Value y, ArrayRef<Value> xs);

private:
  template <typename OpTy> Value make(ValueRange operands) {
    if (!good)
      return {};
    auto r = ctx.create<OpTy>(operands);
    if (failed(r)) {
      good = false;
      return {};
    }
    return *r;
  }
  Value constantLike(Value like, double v) {
    return ctx.scalarConstant(typeOf(like).getElementType(), v);
  }
  // `g` summed down to `target`'s shape (undoing numpy broadcasting).
  Value sumTo(Value g, Value target);
  // Adds `g` to the gradient of `v`.
  void accumulate(Value v, Value g);
  // Passes the gradient of op's result to its operands.
  LogicalResult backward(Operation *op, Value g);

  NodeContext &ctx;
  bool good = true;
  llvm::DenseMap<Value, Value> grads;
  llvm::DenseSet<Value> needed;
};

Value Differentiator::sumTo(Value g, Value target) {
  if (!good)
    return {};
  auto gt = typeOf(g), tt = typeOf(target);
  if (gt.getShape() == tt.getShape())
    return g;
  if (!gt.hasStaticShape() || !tt.hasStaticShape()) {
    good = false;
    (void)ctx.fail("cannot differentiate through broadcasting of dynamic shapes");
    return {};
  }
  int64_t lead = gt.getRank() - tt.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < gt.getRank(); ++d)
    if (d < lead || (tt.getDimSize(d - lead) == 1 && gt.getDimSize(d) != 1))
      axes.push_back(d);
  Value summed = g;
  if (!axes.empty()) {
    auto r = ctx.create<nn::ReduceSumOp>({g}, {ctx.intsAttr("axes", axes), ctx.intAttr("keepdims", 1)});
    if (failed(r)) {
      good = false;
      return {};
    }
    summed = *r;
  }
  auto r = ctx.create<nn::ReshapeOp>({summed, ctx.i64Constant(tt.getShape())});
  if (failed(r)) {
    good = false;
    return {};
  }
  return *r;
}

void Differentiator::accumulate(Value v, Value g) {
  if (!good || !needed.contains(v))
    return;
  g = sumTo(g, v);
  auto [it, inserted] = grads.try_emplace(v, g);
  if (!inserted)
    it->second = make<nn::AddOp>({it->second, g});
}

LogicalResult Differentiator::backward(Operation *op, Value g) {
  auto operand = [&](unsigned i) { return op->getOperand(i); };
  Value r = op->getResult(0);
  if (isa<nn::AddOp>(op)) {
    accumulate(operand(0), g);
    accumulate(operand(1), g);
  } else if (isa<nn::SubOp>(op)) {
    accumulate(operand(0), g);
    accumulate(operand(1), make<nn::NegOp>({g}));
  } else if (isa<nn::MulOp>(op)) {
    accumulate(operand(0), make<nn::MulOp>({g, operand(1)}));
    accumulate(operand(1), make<nn::MulOp>({g, operand(0)}));
  } else if (isa<nn::DivOp>(op)) {
    Value a = operand(0), b = operand(1);
    accumulate(a, make<nn::DivOp>({g, b}));
    // d(a/b)/db = -a / b^2 = -(a/b) / b
    accumulate(b, make<nn::NegOp>({make<nn::DivOp>({make<nn::MulOp>({g, r}), b})}));
  } else if (isa<nn::NegOp>(op)) {
    accumulate(operand(0), make<nn::NegOp>({g}));
  } else if (isa<nn::ExpOp>(op)) {
    accumulate(operand(0), make<nn::MulOp>({g, r}));
  } else if (isa<nn::LogOp>(op)) {
    accumulate(operand(0), make<nn::DivOp>({g, operand(0)}));
  } else if (isa<nn::SqrtOp>(op)) {
    // d sqrt(x) = 1 / (2 sqrt(x))
    accumulate(operand(0), make<nn::DivOp>({g, make<nn::MulOp>({r, constantLike(r, 2)})}));
  } else if (isa<nn::TanhOp>(op)) {
    Value oneMinus = make<nn::SubOp>({constantLike(r, 1), make<nn::MulOp>({r, r})});
    accumulate(operand(0), make<nn::MulOp>({g, oneMinus}));
  } else if (isa<nn::SigmoidOp>(op)) {
    Value slope = make<nn::MulOp>({r, make<nn::SubOp>({constantLike(r, 1), r})});
    accumulate(operand(0), make<nn::MulOp>({g, slope}));
  } else if (isa<nn::ReluOp>(op)) {
    Value x = operand(0);
    Value positive = make<nn::GreaterOp>({x, constantLike(x, 0)});
    accumulate(x, make<nn::WhereOp>({positive, g, constantLike(g, 0)}));
  } else if (isa<nn::MatMulOp>(op) && typeOf(operand(0)).getRank() == 2 &&
             typeOf(operand(1)).getRank() == 2) {
    auto transposed = [&](Value v) -> Value {
      if (!good)
        return {};
      auto t = ctx.create<nn::TransposeOp>({v}, {ctx.intsAttr("perm", {1, 0})});
      good &= succeeded(t);
      return good ? *t : Value();
    };
    accumulate(operand(0), make<nn::MatMulOp>({g, transposed(operand(1))}));
    accumulate(operand(1), make<nn::MatMulOp>({transposed(operand(0)), g}));
  } else {
    return ctx.fail("cannot differentiate through " + op->getName().getStringRef() +
                    " (Gradient supports Add, Sub, Mul, Div, Neg, Exp, Log, Sqrt, Tanh, "
                    "Sigmoid, Relu and 2-D MatMul)");
  }
  return success(good);
}

FailureOr<SmallVector<Value>> Differentiator::run(Value y, ArrayRef<Value> xs) {
  // The values on a path from some x to y, found from y backwards.
  llvm::DenseSet<Value> sources(xs.begin(), xs.end());
  llvm::DenseMap<Value, bool> reaches;
  std::function<bool(Value)> visit = [&](Value v) -> bool {
    if (auto it = reaches.find(v); it != reaches.end())
      return it->second;
    reaches[v] = false;
    bool r = sources.contains(v);
    if (Operation *def = v.getDefiningOp())
      for (Value operand : def->getOperands())
        r |= visit(operand);
    reaches[v] = r;
    if (r)
      needed.insert(v);
    return r;
  };
  visit(y);
  // Ops in reverse order of creation, so a value's gradient is complete
  // before its defining op passes it on.
  SmallVector<Operation *> ops;
  for (Value v : needed)
    if (Operation *def = v.getDefiningOp(); def && !sources.contains(v))
      ops.push_back(def);
  llvm::sort(ops, [](Operation *a, Operation *b) { return b->isBeforeInBlock(a); });
  ops.erase(std::unique(ops.begin(), ops.end()), ops.end());
  for (Operation *op : ops)
    if (op->getBlock() != y.getParentBlock())
      return ctx.fail("cannot differentiate through control flow");

  auto yType = typeOf(y);
  if (!yType.hasStaticShape() || !isa<FloatType>(yType.getElementType()))
    return ctx.fail("y must be a float tensor of static shape");
  grads[y] = nn::ConstantOp::create(
      ctx.builder, ctx.loc,
      DenseElementsAttr::get(yType, FloatAttr::get(yType.getElementType(), 1.0)));
  for (Operation *op : ops) {
    if (op->getNumResults() != 1)
      return ctx.fail("cannot differentiate through " + op->getName().getStringRef());
    auto it = grads.find(op->getResult(0));
    if (it == grads.end())
      continue;
    if (failed(backward(op, it->second)))
      return failure();
  }
  SmallVector<Value> result;
  for (Value x : xs) {
    Value g = grads.lookup(x);
    if (!g) // y does not depend on x
      g = nn::ConstantOp::create(
          ctx.builder, ctx.loc,
          DenseElementsAttr::get(typeOf(x), FloatAttr::get(typeOf(x).getElementType(), 0.0)));
    result.push_back(g);
  }
  return result;
}

} // namespace

Converted convertGradient(NodeContext &ctx) {
  if (ctx.has("zs"))
    return ctx.fail("zs is not supported");
  std::string yName = ctx.getString("y", "");
  Value y = ctx.lookupValue ? ctx.lookupValue(yName) : Value();
  if (!y)
    return ctx.fail("y '" + yName + "' is not a tensor computed before this node");
  SmallVector<Value> xs;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    if (!ctx.input(i))
      return ctx.fail("input " + Twine(i) + " is missing");
    if (!isa<FloatType>(typeOf(ctx.input(i)).getElementType()) ||
        !typeOf(ctx.input(i)).hasStaticShape())
      return ctx.fail("xs must be float tensors of static shape");
    xs.push_back(ctx.input(i));
  }
  if (ctx.node.output_size() != (int)xs.size())
    return ctx.fail("needs one output per x");
  Differentiator d(ctx);
  auto grads = d.run(y, xs);
  if (failed(grads))
    return failure();
  return Values(grads->begin(), grads->end());
}

} // namespace openopt::onnx_import
