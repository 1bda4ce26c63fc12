//===- FuseOps.cpp - the openopt-fuse-ops pass ----------------------------===//
#include "openopt/Transforms/Passes.h"

#include "openopt/Dialect/NN/ConstantData.h"
#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

namespace openopt {
#define GEN_PASS_DEF_FUSEOPSPASS
#include "openopt/Transforms/Passes.h.inc"

namespace {

/// The Add's operand that is not `produced`, if the other one is `produced`.
Value otherOperand(nn::AddOp add, Value produced) {
  if (add.getLhs() == produced)
    return add.getRhs();
  if (add.getRhs() == produced)
    return add.getLhs();
  return {};
}

/// A constant whose shape is [channels] after dropping leading 1s and that
/// broadcasts along `axis` of a result of rank `rank` (trailing dims 1).
std::optional<std::vector<float>> channelVector(Value v, int64_t channels, int64_t axis,
                                                int64_t rank) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  ArrayRef<int64_t> shape = type.getShape();
  if ((int64_t)shape.size() > rank || type.getNumElements() != channels)
    return std::nullopt;
  // Aligned to the result's trailing axes: the channel axis must hold them all.
  int64_t offset = rank - shape.size();
  for (auto [i, d] : llvm::enumerate(shape))
    if (int64_t(i) + offset != axis && d != 1)
      return std::nullopt;
  if (axis < offset && channels != 1)
    return std::nullopt;
  return nn::constantFloats(v);
}

// Conv(x, w[, b]) + bias[F,1,1] -> Conv(x, w, b + bias).
struct FoldBiasIntoConv : OpRewritePattern<nn::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AddOp add, PatternRewriter &rewriter) const override {
    for (Value side : {add.getLhs(), add.getRhs()}) {
      auto conv = side.getDefiningOp<nn::ConvOp>();
      if (!conv || !conv->hasOneUse() || add.getType() != conv.getType())
        continue;
      // Channels are axis 1, or the last axis of a channels-last Conv.
      int64_t rank = conv.getType().getRank();
      int64_t axis = conv.getChannelsLast() ? rank - 1 : 1;
      int64_t filters = conv.getType().getDimSize(axis);
      auto bias = channelVector(otherOperand(add, side), filters, axis, rank);
      if (!bias)
        continue;
      std::vector<float> total = *bias;
      if (conv.getBias()) {
        auto existing = nn::constantFloats(conv.getBias());
        if (!existing || (int64_t)existing->size() != filters)
          continue;
        for (int64_t f = 0; f < filters; ++f)
          total[f] += (*existing)[f];
      }
      Location loc = rewriter.getFusedLoc({conv.getLoc(), add.getLoc()});
      Value b = nn::ConstantOp::create(
          rewriter, loc,
          nn::makeFloatConstant(RankedTensorType::get({filters}, rewriter.getF32Type()), total,
                                nn::constantNameHint(otherOperand(add, side), "bias")));
      auto fused = nn::ConvOp::create(rewriter, loc, conv.getType(), conv.getInput(),
                                      conv.getWeight(), b, conv.getStridesAttr(),
                                      conv.getPadsAttr(), conv.getDilationsAttr(),
                                      conv.getGroupAttr(), conv.getChannelsLastAttr());
      rewriter.replaceOp(add, fused.getResult());
      rewriter.eraseOp(conv);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not a Conv plus a per-channel constant");
  }
};

// Gemm(a, b) + bias[N] -> Gemm(a, b, bias); MatMul(a[M,K], b[K,N]) + bias[N]
// -> Gemm(a, b, bias).
struct FoldBiasIntoGemm : OpRewritePattern<nn::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::AddOp add, PatternRewriter &rewriter) const override {
    for (Value side : {add.getLhs(), add.getRhs()}) {
      Operation *producer = side.getDefiningOp();
      if (!producer || !producer->hasOneUse() || add.getType() != side.getType())
        continue;
      auto type = cast<RankedTensorType>(side.getType());
      if (type.getRank() != 2 || !type.hasStaticShape())
        continue;
      auto bias = channelVector(otherOperand(add, side), type.getDimSize(1), 1, 2);
      if (!bias)
        continue;
      Value a, b;
      FloatAttr alpha = rewriter.getF32FloatAttr(1.0f);
      IntegerAttr transA = rewriter.getI64IntegerAttr(0), transB = transA;
      if (auto gemm = dyn_cast<nn::GemmOp>(producer)) {
        if (gemm.getC())
          continue;
        a = gemm.getA();
        b = gemm.getB();
        alpha = gemm.getAlphaAttr();
        transA = gemm.getTransAAttr();
        transB = gemm.getTransBAttr();
      } else if (auto matmul = dyn_cast<nn::MatMulOp>(producer)) {
        if (matmul.getA().getType().getRank() != 2 || matmul.getB().getType().getRank() != 2 ||
            !isa<FloatType>(type.getElementType()))
          continue;
        a = matmul.getA();
        b = matmul.getB();
      } else {
        continue;
      }
      Location loc = rewriter.getFusedLoc({producer->getLoc(), add.getLoc()});
      Value c = nn::ConstantOp::create(
          rewriter, loc,
          nn::makeFloatConstant(RankedTensorType::get({type.getDimSize(1)}, rewriter.getF32Type()),
                                *bias, nn::constantNameHint(otherOperand(add, side), "bias")));
      auto gemm = nn::GemmOp::create(rewriter, loc, type, a, b, c, alpha,
                                     rewriter.getF32FloatAttr(1.0f), transA, transB);
      rewriter.replaceOp(add, gemm.getResult());
      rewriter.eraseOp(producer);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "not a Gemm/MatMul plus a per-column constant");
  }
};

bool isActivation(Operation *op) {
  return isa<nn::ReluOp, nn::ClipOp, nn::GeluOp, nn::LeakyReluOp, nn::SigmoidOp,
             nn::HardSigmoidOp, nn::HardSwishOp, nn::TanhOp>(op);
}

bool isElementwise(Operation *op) {
  return isActivation(op) ||
         isa<nn::AddOp, nn::SubOp, nn::MulOp, nn::DivOp, nn::PowOp, nn::MinOp, nn::MaxOp,
             nn::SqrtOp, nn::ExpOp, nn::LogOp, nn::NegOp, nn::AbsOp, nn::ReciprocalOp,
             nn::ErfOp>(op);
}

bool isProducer(Operation *op) {
  return isa<nn::ConvOp, nn::ConvTransposeOp, nn::GemmOp, nn::MatMulOp>(op);
}

/// The only user of `op`'s single result, in the same block.
Operation *soleUser(Operation *op) {
  if (op->getNumResults() != 1 || !op->getResult(0).hasOneUse())
    return nullptr;
  Operation *user = *op->getResult(0).getUsers().begin();
  return user->getBlock() == op->getBlock() ? user : nullptr;
}

/// Wraps `members` (in program order; only the last one's result is used
/// outside them) in an nn.fused group placed where the last one was.
void makeGroup(ArrayRef<Operation *> members, StringRef kind) {
  Operation *root = members.back();
  SmallVector<Location> locs;
  for (Operation *m : members)
    locs.push_back(m->getLoc());
  OpBuilder builder(root);
  Location loc = builder.getFusedLoc(locs);
  auto group = nn::FusedOp::create(builder, loc, root->getResultTypes(), kind);
  Block *body = builder.createBlock(&group.getBody());
  for (Operation *m : members)
    m->moveBefore(body, body->end());
  root->getResult(0).replaceUsesWithIf(group.getResult(0), [&](OpOperand &use) {
    return !group->isAncestor(use.getOwner());
  });
  builder.setInsertionPointToEnd(body);
  nn::YieldOp::create(builder, loc, root->getResults());
}

struct FuseOpsPass : impl::FuseOpsPassBase<FuseOpsPass> {
  using FuseOpsPassBase::FuseOpsPassBase;

  void runOnOperation() override {
    if (maxGroupSize < 2) {
      getOperation().emitError("openopt-fuse-ops: max-group-size must be at least 2, got ")
          << static_cast<int64_t>(maxGroupSize);
      return signalPassFailure();
    }
    if (foldBias) {
      RewritePatternSet patterns(&getContext());
      patterns.add<FoldBiasIntoConv, FoldBiasIntoGemm>(&getContext());
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    llvm::SmallPtrSet<Operation *, 32> grouped;
    if (epilogue)
      groupEpilogues(grouped);
    if (elementwise)
      groupElementwiseChains(grouped);
  }

  // Producer -> [bias Add] -> [activation], each result used only by the next.
  void groupEpilogues(llvm::SmallPtrSet<Operation *, 32> &grouped) {
    SmallVector<SmallVector<Operation *>> groups;
    getOperation().walk([&](Operation *op) {
      if (!isProducer(op) || isa<nn::FusedOp>(op->getParentOp()))
        return;
      SmallVector<Operation *> members = {op};
      Operation *next = soleUser(op);
      if (auto add = dyn_cast_or_null<nn::AddOp>(next);
          add && add.getType() == op->getResult(0).getType() &&
          otherOperand(add, op->getResult(0)).getDefiningOp<nn::ConstantOp>()) {
        members.push_back(add);
        next = soleUser(add);
      }
      if (next && isActivation(next) && next->getOperand(0) == members.back()->getResult(0))
        members.push_back(next);
      if (members.size() >= 2)
        groups.push_back(members);
    });
    for (auto &members : groups) {
      grouped.insert(members.begin(), members.end());
      makeGroup(members, "epilogue");
    }
  }

  // Grows each group backwards from its last op through operands whose only
  // user is already in the group.
  void groupElementwiseChains(llvm::SmallPtrSet<Operation *, 32> &grouped) {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isElementwise(op) && !grouped.contains(op) && !isa<nn::FusedOp>(op->getParentOp()))
        candidates.push_back(op);
    });
    SmallVector<SmallVector<Operation *>> groups;
    for (Operation *root : llvm::reverse(candidates)) {
      if (grouped.contains(root))
        continue;
      llvm::SmallPtrSet<Operation *, 16> members = {root};
      SmallVector<Operation *> worklist = {root};
      while (!worklist.empty() && (int64_t)members.size() < maxGroupSize) {
        Operation *op = worklist.pop_back_val();
        for (Value operand : op->getOperands()) {
          Operation *def = operand.getDefiningOp();
          if (!def || members.contains(def) || grouped.contains(def) || !isElementwise(def) ||
              def->getBlock() != root->getBlock() ||
              (int64_t)members.size() >= maxGroupSize)
            continue;
          if (!llvm::all_of(def->getUsers(), [&](Operation *u) { return members.contains(u); }))
            continue;
          members.insert(def);
          worklist.push_back(def);
        }
      }
      if (members.size() < 2)
        continue;
      SmallVector<Operation *> ordered(members.begin(), members.end());
      llvm::sort(ordered, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
      grouped.insert(ordered.begin(), ordered.end());
      groups.push_back(std::move(ordered));
    }
    for (auto &members : groups)
      makeGroup(members, "elementwise");
  }
};

} // namespace
} // namespace openopt
