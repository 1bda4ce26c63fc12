//===- CostModel.cpp - FLOPs and bytes moved by an nn op ------------------===//
#include "openopt/Dialect/NN/CostModel.h"

#include "openopt/Dialect/NN/NNDialect.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace openopt::nn {

std::optional<double> OpCost::arithmeticIntensity() const {
  if (!flops || !bytes || *bytes == 0)
    return std::nullopt;
  return double(*flops) / double(*bytes);
}

static std::optional<int64_t> elementsOf(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return std::nullopt;
  return shaped.getNumElements();
}

static std::optional<int64_t> bytesOf(Type type) {
  auto n = elementsOf(type);
  if (!n)
    return std::nullopt;
  unsigned bits = cast<ShapedType>(type).getElementTypeBitWidth();
  return *n * int64_t(std::max(8u, bits) / 8);
}

/// Bytes of the values an op reads from outside (or, for ops, its operands)
/// and writes (its results).
static std::optional<int64_t> boundaryBytes(ValueRange inputs, ValueRange outputs) {
  int64_t total = 0;
  for (ValueRange values : {inputs, outputs})
    for (Value v : values) {
      auto b = bytesOf(v.getType());
      if (!b)
        return std::nullopt;
      total += *b;
    }
  return total;
}

static std::optional<int64_t> product(std::initializer_list<std::optional<int64_t>> factors) {
  int64_t p = 1;
  for (auto f : factors) {
    if (!f)
      return std::nullopt;
    p *= *f;
  }
  return p;
}

static std::optional<int64_t> flopsOf(Operation *op) {
  auto out = op->getNumResults() ? elementsOf(op->getResult(0).getType()) : std::nullopt;
  auto in = op->getNumOperands() ? elementsOf(op->getOperand(0).getType()) : std::nullopt;
  return llvm::TypeSwitch<Operation *, std::optional<int64_t>>(op)
      .Case([&](MatMulOp m) -> std::optional<int64_t> {
        auto a = dyn_cast<RankedTensorType>(m.getA().getType());
        if (!a || a.getRank() < 1 || ShapedType::isDynamic(a.getShape().back()))
          return std::nullopt;
        return product({out, int64_t(2) * a.getShape().back()});
      })
      .Case([&](GemmOp g) -> std::optional<int64_t> {
        auto a = cast<RankedTensorType>(g.getA().getType());
        int64_t k = g.getTransA() ? a.getShape()[0] : a.getShape()[1];
        if (ShapedType::isDynamic(k))
          return std::nullopt;
        return product({out, 2 * k + (g.getC() ? 1 : 0)});
      })
      .Case([&](ConvOp c) -> std::optional<int64_t> {
        auto w = dyn_cast<RankedTensorType>(c.getWeight().getType());
        if (!w || !w.hasStaticShape())
          return std::nullopt;
        // Each output element is a dot product over C/group * K1 * K2 ...
        // (the filters are the weight's first axis, its last channels-last).
        int64_t filters = w.getShape()[c.getChannelsLast() ? w.getRank() - 1 : 0];
        int64_t perOutput = w.getNumElements() / filters;
        return product({out, 2 * perOutput + (c.getBias() ? 1 : 0)});
      })
      .Case([&](ConvTransposeOp c) -> std::optional<int64_t> {
        auto w = dyn_cast<RankedTensorType>(c.getWeight().getType());
        if (!w || !w.hasStaticShape())
          return std::nullopt;
        // Each input element scatters into F/group * K1 * K2 ... outputs.
        int64_t perInput = w.getNumElements() / w.getShape()[0];
        return product({in, 2 * perInput});
      })
      .Case([&](MaxPoolOp p) {
        int64_t window = 1;
        for (int64_t k : p.getKernelShape())
          window *= k;
        return product({out, window});
      })
      .Case([&](AveragePoolOp p) {
        int64_t window = 1;
        for (int64_t k : p.getKernelShape())
          window *= k;
        return product({out, window});
      })
      .Case<GlobalAveragePoolOp, ReduceMeanOp, ReduceSumOp, ReduceMaxOp>(
          [&](Operation *) { return in; })
      .Case<SoftmaxOp>([&](Operation *) { return product({in, 5}); })
      .Case<LayerNormOp>([&](Operation *) { return product({in, 8}); })
      .Case<BatchNormOp>([&](Operation *) { return product({in, 2}); })
      .Case<GeluOp, ErfOp, TanhOp, SigmoidOp, ExpOp, LogOp, PowOp, SqrtOp>(
          [&](Operation *) { return product({out, 4}); })
      .Case<ConstantOp, ReshapeOp, TransposeOp, SqueezeOp, UnsqueezeOp, FlattenOp, ConcatOp,
            SplitOp, SliceOp, GatherOp, ShapeOp, SizeOp, ConstantOfShapeOp, ExpandOp, TileOp,
            PadOp, IdentityOp, DropoutOp, CastOp, YieldOp>(
          [&](Operation *) { return std::optional<int64_t>(0); })
      .Default([&](Operation *) { return out; }); // element-wise: one per element
}

OpCost estimateCost(Operation *op) {
  OpCost cost;
  if (auto group = dyn_cast<FusedOp>(op)) {
    // Values the body uses from outside are what the group reads.
    llvm::SetVector<Value> inputs;
    int64_t flops = 0;
    bool known = true;
    group.getBody().walk([&](Operation *inner) {
      if (inner == group)
        return;
      for (Value operand : inner->getOperands())
        if (!group->isAncestor(operand.getParentRegion()->getParentOp()))
          inputs.insert(operand);
      auto f = flopsOf(inner);
      known &= f.has_value();
      flops += f.value_or(0);
    });
    if (known)
      cost.flops = flops;
    cost.bytes = boundaryBytes(inputs.getArrayRef(), group.getResults());
    return cost;
  }
  if (isa<ConstantOp>(op)) {
    cost.flops = 0;
    cost.bytes = 0;
    return cost;
  }
  cost.flops = flopsOf(op);
  cost.bytes = boundaryBytes(op->getOperands(), op->getResults());
  return cost;
}

} // namespace openopt::nn
