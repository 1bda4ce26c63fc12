//===- FoldConstants.cpp - the openopt-fold-constants pass ----------------===//
#include "openopt/Transforms/Passes.h"

#include "openopt/Dialect/NN/ConstantData.h"
#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;

namespace openopt {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "openopt/Transforms/Passes.h.inc"

namespace {

// The scalar formula of a foldable element-wise op, on doubles.
std::optional<double> evaluate(Operation *op, ArrayRef<double> x) {
  return llvm::TypeSwitch<Operation *, std::optional<double>>(op)
      .Case([&](nn::AddOp) { return x[0] + x[1]; })
      .Case([&](nn::SubOp) { return x[0] - x[1]; })
      .Case([&](nn::MulOp) { return x[0] * x[1]; })
      .Case([&](nn::DivOp) { return x[0] / x[1]; })
      .Case([&](nn::PowOp) { return std::pow(x[0], x[1]); })
      .Case([&](nn::MinOp) { return std::min(x[0], x[1]); })
      .Case([&](nn::MaxOp) { return std::max(x[0], x[1]); })
      .Case([&](nn::SqrtOp) { return std::sqrt(x[0]); })
      .Case([&](nn::ExpOp) { return std::exp(x[0]); })
      .Case([&](nn::LogOp) { return std::log(x[0]); })
      .Case([&](nn::NegOp) { return -x[0]; })
      .Case([&](nn::AbsOp) { return std::abs(x[0]); })
      .Case([&](nn::ReciprocalOp) { return 1.0 / x[0]; })
      .Case([&](nn::TanhOp) { return std::tanh(x[0]); })
      .Case([&](nn::SigmoidOp) { return 1.0 / (1.0 + std::exp(-x[0])); })
      .Case([&](nn::ReluOp) { return std::max(0.0, x[0]); })
      .Case([&](nn::ErfOp) { return std::erf(x[0]); })
      .Default([](Operation *) { return std::nullopt; });
}

// Index into an operand of `shape` broadcast to `resultShape` (numpy rules).
int64_t broadcastIndex(int64_t flat, ArrayRef<int64_t> resultShape, ArrayRef<int64_t> shape) {
  int64_t index = 0, stride = 1;
  int64_t offset = resultShape.size() - shape.size();
  for (int64_t d = resultShape.size() - 1; d >= 0; --d) {
    int64_t coord = flat % resultShape[d];
    flat /= resultShape[d];
    if (d >= offset) {
      int64_t size = shape[d - offset];
      if (size != 1)
        index += coord * stride;
      stride *= size;
    }
  }
  return index;
}

struct FoldElementwise : RewritePattern {
  FoldElementwise(MLIRContext *ctx, int64_t maxElements)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx), maxElements(maxElements) {}

  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<nn::NNDialect>(op->getDialect()) || isa<nn::ConstantOp>(op) ||
        op->getNumResults() != 1 || op->getNumOperands() == 0 || op->getNumOperands() > 2)
      return failure();
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
        type.getNumElements() > maxElements)
      return failure();
    SmallVector<std::vector<float>> inputs;
    SmallVector<ArrayRef<int64_t>> shapes;
    for (Value operand : op->getOperands()) {
      ElementsAttr attr;
      if (!matchPattern(operand, m_Constant(&attr)))
        return failure();
      auto values = nn::readFloats(attr);
      if (!values)
        return failure();
      inputs.push_back(std::move(*values));
      shapes.push_back(cast<RankedTensorType>(operand.getType()).getShape());
    }
    // Only element-wise ops evaluate (not concat, gather, ...), and their
    // operands broadcast to the result, so none is empty unless it is.
    SmallVector<double> args(inputs.size(), 0.0);
    if (!evaluate(op, args))
      return failure();
    for (const auto &in : inputs)
      if (in.empty() && type.getNumElements() != 0)
        return failure();
    std::vector<float> result(type.getNumElements());
    for (int64_t i = 0, e = result.size(); i < e; ++i) {
      for (size_t k = 0; k < inputs.size(); ++k)
        args[k] = inputs[k][broadcastIndex(i, type.getShape(), shapes[k])];
      auto value = evaluate(op, args);
      if (!value)
        return failure();
      result[i] = float(*value);
    }
    rewriter.replaceOpWithNewOp<nn::ConstantOp>(
        op, nn::makeFloatConstant(type, result, "constant"));
    return success();
  }
  int64_t maxElements;
};

struct FoldConstantsPass : impl::FoldConstantsPassBase<FoldConstantsPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldElementwise>(&getContext(), maxElements);
    // The ops' own folders (shape sub-graphs) run as part of the driver.
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace openopt
