//===- ConvertLayout.cpp - the openopt-convert-layout pass -----------------===//
//
// Two steps in one greedy rewrite:
//  1. 2-D Conv (group 1), MaxPool, AveragePool and GlobalAveragePool become
//     their channels-last forms between an NCHW->NHWC transpose of the input
//     and an NHWC->NCHW transpose of the result. A Conv weight becomes
//     [KH, KW, C, F], computed at compile time when it is a constant.
//     layout=auto converts all of them in a network with depthwise
//     convolutions, and in another one only the convolutions that lower to
//     the direct channels-last form (Support/DirectConvPlan.h) and the pools
//     whose input is then channels-last.
//  2. The NHWC->NCHW transposes sink through element-wise ops towards the
//     next layout change, where they meet its inverse and cancel (the
//     nn.transpose canonicalizations compose them). Element-wise ops then
//     run on NHWC data and only the edges of the graph keep transposes.
//
//===----------------------------------------------------------------------===//
#include "openopt/Transforms/Passes.h"

#include "openopt/Dialect/NN/ConstantData.h"
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Support/DirectConvPlan.h"
#include "openopt/Support/VectorBits.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace openopt {
#define GEN_PASS_DEF_CONVERTLAYOUTPASS
#include "openopt/Transforms/Passes.h.inc"

namespace {

constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};  // NCHW -> NHWC
constexpr int64_t kToChannelsFirst[] = {0, 3, 1, 2}; // NHWC -> NCHW
constexpr int64_t kWeightToHWCF[] = {2, 3, 1, 0};    // FCHW -> HWCF

SmallVector<int64_t> permuted(ArrayRef<int64_t> shape, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> out;
  for (int64_t p : perm)
    out.push_back(shape[p]);
  return out;
}

SmallVector<int64_t> inverse(ArrayRef<int64_t> perm) {
  SmallVector<int64_t> inv(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inv[p] = i;
  return inv;
}

RankedTensorType permutedType(RankedTensorType type, ArrayRef<int64_t> perm) {
  return RankedTensorType::get(permuted(type.getShape(), perm), type.getElementType());
}

// `v` transposed by `perm`: a new constant when `v` is one, else an op.
Value transposed(PatternRewriter &rewriter, Location loc, Value v, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(v.getType());
  ElementsAttr value;
  if (matchPattern(v, m_Constant(&value)))
    if (auto folded = nn::transposeConstant(value, perm))
      return nn::ConstantOp::create(rewriter, loc, *folded);
  return nn::TransposeOp::create(rewriter, loc, permutedType(type, perm), v,
                                 rewriter.getDenseI64ArrayAttr(perm));
}

// A transpose of `v` by `perm` that already exists before `op`.
Value findTransposeBefore(Value v, ArrayRef<int64_t> perm, Operation *op) {
  for (Operation *user : v.getUsers())
    if (auto t = dyn_cast<nn::TransposeOp>(user))
      if (t.getPerm() == perm && t->getBlock() == op->getBlock() && t->isBeforeInBlock(op))
        return t.getResult();
  return Value();
}

// Replaces the NCHW `op` by `makeChannelsLast(nhwcInput)` between transposes.
LogicalResult wrapChannelsLast(PatternRewriter &rewriter, Operation *op,
                               llvm::function_ref<Value(Value, RankedTensorType)> makeChannelsLast) {
  Location loc = op->getLoc();
  // A value that feeds two converted ops (a ResNet block's convolution and
  // its downsampling one) is transposed once: an existing transpose after
  // `op` moves up to just after the value's definition.
  Value source = op->getOperand(0);
  Value input = findTransposeBefore(source, kToChannelsLast, op);
  if (!input)
    for (Operation *user : source.getUsers())
      if (auto t = dyn_cast<nn::TransposeOp>(user);
          t && t.getPerm() == ArrayRef<int64_t>(kToChannelsLast) &&
          t->getBlock() == op->getBlock() && source.getDefiningOp() &&
          source.getDefiningOp()->getBlock() == op->getBlock()) {
        rewriter.moveOpAfter(t, source.getDefiningOp());
        input = t.getResult();
        break;
      }
  if (!input)
    input = transposed(rewriter, loc, source, kToChannelsLast);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Value result = makeChannelsLast(input, permutedType(resultType, kToChannelsLast));
  rewriter.replaceOpWithNewOp<nn::TransposeOp>(op, resultType, result,
                                               rewriter.getDenseI64ArrayAttr(kToChannelsFirst));
  return success();
}

bool isChannelsFirst2D(Value input) {
  return cast<RankedTensorType>(input.getType()).getRank() == 4;
}

// The transposes that sink: NHWC -> NCHW ones, which this pass makes (other
// transposes, such as those of attention heads, are left where they are).
nn::TransposeOp sinkingTranspose(Value v) {
  auto t = v.getDefiningOp<nn::TransposeOp>();
  return t && t.getPerm() == ArrayRef<int64_t>(kToChannelsFirst) ? t : nn::TransposeOp();
}

// layout=auto converts only a function with at least this many
// convolutions (fewer: a layer alone would pay for the transposes at its
// edges).
constexpr int64_t kAutoMinConvs = 4;

// A float 2-D convolution with group == C == F > 1: each output channel
// reads its own input channel.
bool isDepthwise(nn::ConvOp op) {
  auto in = cast<RankedTensorType>(op.getInput().getType());
  auto w = cast<RankedTensorType>(op.getWeight().getType());
  return isa<FloatType>(in.getElementType()) && in.getRank() == 4 && in.hasStaticShape() &&
         w.hasStaticShape() && op.getGroup() > 1 && op.getGroup() == in.getDimSize(1) &&
         w.getDimSize(0) == op.getGroup() && w.getDimSize(1) == 1;
}

// A static f32 2-D convolution (group 1, constant weight) that the lowering
// computes directly, channels-last, with `vectorBits`-wide vectors, as a
// small map. The larger strided maps that are direct only for their stride
// (resnet's 56 -> 28 layer) stay NCHW: there the route's transposes fuse
// into its loop, where alone in channels-last they cost two passes (0.09
// ms at 1 thread, as much as the route saved).
bool lowersDirectly(nn::ConvOp op, int64_t vectorBits) {
  auto in = cast<RankedTensorType>(op.getInput().getType());
  auto w = cast<RankedTensorType>(op.getWeight().getType());
  auto out = cast<RankedTensorType>(op.getType());
  if (in.getRank() != 4 || !in.getElementType().isF32() || !in.hasStaticShape() ||
      !w.hasStaticShape() || !out.hasStaticShape() || op.getGroup() != 1 ||
      !matchPattern(op.getWeight(), m_Constant()))
    return false;
  return planDirectConv(in.getDimSize(1), w.getDimSize(0), w.getDimSize(2), w.getDimSize(3),
                        out.getDimSize(2), out.getDimSize(3), /*strided=*/false, vectorBits)
      .has_value();
}

// Which ops a conversion takes: all, or (layout=auto without depthwise
// convolutions) the directly computed convolutions and the pools whose
// input is channels-last already.
struct Selection {
  bool all;
  int64_t vectorBits;
};

struct ConvToChannelsLast : OpRewritePattern<nn::ConvOp> {
  ConvToChannelsLast(MLIRContext *ctx, Selection selection)
      : OpRewritePattern(ctx), selection(selection) {}
  Selection selection;
  LogicalResult matchAndRewrite(nn::ConvOp op, PatternRewriter &rewriter) const override {
    // Grouped convolutions keep their batched NCHW lowering, except
    // depthwise ones (one filter per channel), which vectorize along the
    // channels in NHWC.
    // Integer convolutions (ConvInteger, QLinearConv) keep the NCHW
    // lowering, the one that accumulates in their type.
    if (op.getChannelsLast() || !isChannelsFirst2D(op.getInput()) ||
        !isa<FloatType>(op.getType().getElementType()) ||
        (op.getGroup() != 1 && !isDepthwise(op)) ||
        (!selection.all && !lowersDirectly(op, selection.vectorBits)))
      return failure();
    Value weight = transposed(rewriter, op.getLoc(), op.getWeight(), kWeightToHWCF);
    return wrapChannelsLast(rewriter, op, [&](Value input, RankedTensorType type) {
      return nn::ConvOp::create(rewriter, op.getLoc(), type, input, weight, op.getBias(),
                                op.getStridesAttr(), op.getPadsAttr(), op.getDilationsAttr(),
                                op.getGroupAttr(), rewriter.getBoolAttr(true))
          .getResult();
    });
  }
};

struct MaxPoolToChannelsLast : OpRewritePattern<nn::MaxPoolOp> {
  MaxPoolToChannelsLast(MLIRContext *ctx, Selection selection)
      : OpRewritePattern(ctx), selection(selection) {}
  Selection selection;
  LogicalResult matchAndRewrite(nn::MaxPoolOp op, PatternRewriter &rewriter) const override {
    if (op.getChannelsLast() || !isChannelsFirst2D(op.getInput()) ||
        (!selection.all && !sinkingTranspose(op.getInput())))
      return failure();
    return wrapChannelsLast(rewriter, op, [&](Value input, RankedTensorType type) {
      return nn::MaxPoolOp::create(rewriter, op.getLoc(), type, input, op.getKernelShapeAttr(),
                                   op.getStridesAttr(), op.getPadsAttr(), op.getDilationsAttr(),
                                   op.getCeilModeAttr(), rewriter.getBoolAttr(true))
          .getResult();
    });
  }
};

struct AveragePoolToChannelsLast : OpRewritePattern<nn::AveragePoolOp> {
  AveragePoolToChannelsLast(MLIRContext *ctx, Selection selection)
      : OpRewritePattern(ctx), selection(selection) {}
  Selection selection;
  LogicalResult matchAndRewrite(nn::AveragePoolOp op, PatternRewriter &rewriter) const override {
    if (op.getChannelsLast() || !isChannelsFirst2D(op.getInput()) ||
        (!selection.all && !sinkingTranspose(op.getInput())))
      return failure();
    return wrapChannelsLast(rewriter, op, [&](Value input, RankedTensorType type) {
      return nn::AveragePoolOp::create(rewriter, op.getLoc(), type, input,
                                       op.getKernelShapeAttr(), op.getStridesAttr(),
                                       op.getPadsAttr(), op.getCeilModeAttr(),
                                       op.getCountIncludePadAttr(), rewriter.getBoolAttr(true))
          .getResult();
    });
  }
};

struct GlobalAveragePoolToChannelsLast : OpRewritePattern<nn::GlobalAveragePoolOp> {
  GlobalAveragePoolToChannelsLast(MLIRContext *ctx, Selection selection)
      : OpRewritePattern(ctx), selection(selection) {}
  Selection selection;
  LogicalResult matchAndRewrite(nn::GlobalAveragePoolOp op, PatternRewriter &rewriter) const override {
    if (op.getChannelsLast() || !isChannelsFirst2D(op.getInput()) ||
        (!selection.all && !sinkingTranspose(op.getInput())))
      return failure();
    return wrapChannelsLast(rewriter, op, [&](Value input, RankedTensorType type) {
      return nn::GlobalAveragePoolOp::create(rewriter, op.getLoc(), type, input,
                                             rewriter.getBoolAttr(true))
          .getResult();
    });
  }
};

//===----------------------------------------------------------------------===//
// Sinking transposes through element-wise ops.
//===----------------------------------------------------------------------===//

// One operand, one result of the same shape, computed element by element.
bool isElementwiseUnary(Operation *op) {
  return isa<nn::SqrtOp, nn::ExpOp, nn::LogOp, nn::NegOp, nn::AbsOp, nn::ReciprocalOp,
             nn::TanhOp, nn::SigmoidOp, nn::HardSwishOp, nn::ReluOp, nn::ErfOp, nn::NotOp,
             nn::IdentityOp, nn::HardSigmoidOp, nn::LeakyReluOp, nn::ClipOp, nn::GeluOp,
             nn::DropoutOp, nn::CastOp>(op);
}

bool isElementwiseBinary(Operation *op) {
  return isa<nn::AddOp, nn::SubOp, nn::MulOp, nn::DivOp, nn::PowOp, nn::MinOp, nn::MaxOp,
             nn::EqualOp, nn::LessOp, nn::GreaterOp>(op);
}

// The op, with new operands, computing the result transposed by the inverse
// of `perm`; the original result is that transposed back by `perm`.
void replaceWithTransposedOp(PatternRewriter &rewriter, Operation *op, ValueRange operands,
                             ArrayRef<int64_t> perm) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Operation *inner = rewriter.clone(*op);
  rewriter.modifyOpInPlace(inner, [&] {
    inner->setOperands(operands);
    inner->getResult(0).setType(permutedType(resultType, inverse(perm)));
  });
  rewriter.replaceOpWithNewOp<nn::TransposeOp>(op, resultType, inner->getResult(0),
                                               rewriter.getDenseI64ArrayAttr(perm));
}

// u(transpose(x)) -> transpose(u(x)).
struct SinkTransposeThroughUnary : RewritePattern {
  SinkTransposeThroughUnary(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isElementwiseUnary(op))
      return failure();
    auto t = sinkingTranspose(op->getOperand(0));
    if (!t)
      return failure();
    replaceWithTransposedOp(rewriter, op, t.getInput(), t.getPerm());
    return success();
  }
};

// b(transpose(x), transpose(y)) -> transpose(b(x, y)) for the same perm;
// b(transpose(x), y) -> transpose(b(x, y')) when y' = y transposed back
// already exists; b(transpose(x), c) -> transpose(b(x, c')) for a constant c,
// where c' is c (given the result's rank) transposed back, folded now.
struct SinkTransposeThroughBinary : RewritePattern {
  SinkTransposeThroughBinary(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isElementwiseBinary(op))
      return failure();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    int64_t rank = resultType.getRank();
    if (rank != 4 || llvm::none_of(op->getOperands(), [](Value v) { return sinkingTranspose(v); }))
      return failure();
    ArrayRef<int64_t> perm = kToChannelsFirst;
    SmallVector<int64_t> back = inverse(perm);
    // Matched first, built after: a failing match must leave the IR as it is.
    SmallVector<Value> operands;
    SmallVector<std::pair<unsigned, ElementsAttr>> constants;
    for (auto [index, v] : llvm::enumerate(op->getOperands())) {
      if (auto t = sinkingTranspose(v)) {
        operands.push_back(t.getInput());
        continue;
      }
      // A value that is already transposed back before `op` (the input of a
      // converted conv, say) costs nothing.
      if (auto existing = findTransposeBefore(v, back, op)) {
        operands.push_back(existing);
        continue;
      }
      // Anything else must be a constant we can re-layout now.
      ElementsAttr value;
      if (!matchPattern(v, m_Constant(&value)))
        return failure();
      auto type = cast<RankedTensorType>(v.getType());
      if (type.getRank() > rank || !type.hasStaticShape())
        return failure();
      SmallVector<int64_t> full(rank - type.getRank(), 1);
      llvm::append_range(full, type.getShape());
      auto fullType = RankedTensorType::get(full, type.getElementType());
      ElementsAttr reshaped = value;
      if (fullType != type) {
        if (auto dense = dyn_cast<DenseElementsAttr>(value))
          reshaped = dense.reshape(fullType);
        else if (auto bytes = nn::rawBytes(value))
          reshaped = nn::makeConstant(fullType, *bytes, nn::constantNameHint(value));
        else
          return failure();
      }
      auto folded = nn::transposeConstant(reshaped, back);
      if (!folded)
        return failure();
      constants.emplace_back(index, *folded);
      operands.push_back(v);
    }
    for (auto [index, value] : constants)
      operands[index] = nn::ConstantOp::create(rewriter, op->getLoc(), value);
    replaceWithTransposedOp(rewriter, op, operands, perm);
    return success();
  }
};

struct ConvertLayoutPass : impl::ConvertLayoutPassBase<ConvertLayoutPass> {
  using Base::Base;
  void runOnOperation() override {
    if (layout == "nchw")
      return;
    if (layout != "nhwc" && layout != "auto") {
      getOperation().emitError(
          "openopt-convert-layout: layout must be \"nchw\", \"nhwc\" or \"auto\", got \"")
          << layout << "\"";
      return signalPassFailure();
    }
    // auto: channels-last where NCHW is weak, a network with depthwise
    // convolutions (their NCHW loops vectorize along rows, 7 or 14 wide in
    // a MobileNet's last stages); other networks keep NCHW, where 3x3
    // convolutions have Winograd. A function with few convolutions (one
    // layer) keeps NCHW too: the transposes at its edges would cost more
    // than its convolutions gain.
    // Elsewhere, the convolutions computed directly (channels-last in
    // either layout: in NCHW each transposes its input and result) keep
    // channels-last between each other.
    Selection selection{true, resolveVectorBits(vectorBits)};
    if (layout == "auto") {
      int64_t convs = 0, depthwise = 0;
      getOperation().walk([&](nn::ConvOp conv) {
        ++convs;
        if (isDepthwise(conv))
          ++depthwise;
      });
      if (convs < kAutoMinConvs)
        return;
      selection.all = depthwise > 0;
    }
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<ConvToChannelsLast, MaxPoolToChannelsLast, AveragePoolToChannelsLast,
                 GlobalAveragePoolToChannelsLast>(ctx, selection);
    patterns.add<SinkTransposeThroughUnary, SinkTransposeThroughBinary>(ctx);
    // Transposes compose and cancel; those that only move 1-dims become
    // reshapes, which then merge with Flatten and friends.
    nn::TransposeOp::getCanonicalizationPatterns(patterns, ctx);
    nn::ReshapeOp::getCanonicalizationPatterns(patterns, ctx);
    nn::FlattenOp::getCanonicalizationPatterns(patterns, ctx);
    nn::SqueezeOp::getCanonicalizationPatterns(patterns, ctx);
    nn::UnsqueezeOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace openopt
