//===- GpuRowReductions.cpp - the openopt-gpu-row-reductions pass ---------===//
//
// A linalg.generic that folds its innermost dimension into one value per row
// (Softmax's max and sum, LayerNorm's mean and variance, ReduceSum/Mean/Max
// over the last axis) becomes a kernel with a block per row: each thread folds
// a strided share of the row, gpu.all_reduce combines the threads (warp
// shuffles and shared memory, from convert-gpu-to-nvvm), and thread 0 folds
// the row's result into the output.
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CUDA/Passes.h"

#include "KernelNames.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

#include <limits>
#include <optional>

namespace openopt {
#define GEN_PASS_DEF_GPUROWREDUCTIONSPASS
#include "openopt/Codegen/CUDA/Passes.h.inc"

namespace {
using namespace mlir;

/// The fold of a row: its combining op, what gpu.all_reduce calls it, and
/// its identity.
struct Fold {
  Operation *combiner = nullptr;
  Value element; // the combiner's other operand: the row's element
  gpu::AllReduceOperation kind;
  double identity;
};

std::optional<Fold> foldOf(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1)
    return std::nullopt;
  Operation *combiner = yield.getOperand(0).getDefiningOp();
  BlockArgument out = body.getArguments().back();
  if (!combiner || combiner->getNumOperands() != 2 || !out.hasOneUse() ||
      out.getUses().begin()->getOwner() != combiner || !combiner->getResult(0).hasOneUse())
    return std::nullopt;
  Fold fold;
  fold.combiner = combiner;
  fold.element = combiner->getOperand(0) == out ? combiner->getOperand(1) : combiner->getOperand(0);
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (isa<arith::AddFOp>(combiner))
    fold.kind = gpu::AllReduceOperation::ADD, fold.identity = -0.0; // -0 + -0 stays -0
  else if (isa<arith::MulFOp>(combiner))
    fold.kind = gpu::AllReduceOperation::MUL, fold.identity = 1;
  else if (isa<arith::MaximumFOp>(combiner))
    fold.kind = gpu::AllReduceOperation::MAXIMUMF, fold.identity = -inf;
  else if (isa<arith::MinimumFOp>(combiner))
    fold.kind = gpu::AllReduceOperation::MINIMUMF, fold.identity = inf;
  else if (isa<arith::MaxNumFOp>(combiner)) // maxnum(NaN, x) = x: NaN is the identity
    fold.kind = gpu::AllReduceOperation::MAXNUMF, fold.identity = nan;
  else if (isa<arith::MinNumFOp>(combiner))
    fold.kind = gpu::AllReduceOperation::MINNUMF, fold.identity = nan;
  else
    return std::nullopt;
  return fold;
}

/// One f32 output, its innermost dimension the only reduction, the output
/// indexed by the other dimensions in order, a fold gpu.all_reduce has.
bool eligible(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op->getParentOfType<gpu::LaunchOp>())
    return false;
  auto iterators = op.getIteratorTypesArray();
  unsigned n = iterators.size();
  if (n == 0 || iterators.back() != utils::IteratorType::reduction ||
      llvm::count(iterators, utils::IteratorType::reduction) != 1)
    return false;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() != n - 1)
    return false;
  for (unsigned i = 0; i + 1 < n; ++i)
    if (outMap.getResult(i) != getAffineDimExpr(i, op.getContext()))
      return false;
  auto outType = dyn_cast<MemRefType>(op.getDpsInitOperand(0)->get().getType());
  if (!outType || !outType.getElementType().isF32())
    return false;
  for (OpOperand *input : op.getDpsInputOperands())
    if (!isa<MemRefType>(input->get().getType()))
      return false;
  if (!foldOf(op))
    return false;
  // linalg.index has no meaning outside the op (the loops would have to give it).
  if (op.getRegion().walk([](linalg::IndexOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return false;
  // Short rows are as fast with a thread each.
  auto ranges = op.getStaticLoopRanges();
  return ShapedType::isDynamic(ranges.back()) || ranges.back() >= 64;
}

struct GpuRowReductionsPass : impl::GpuRowReductionsPassBase<GpuRowReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize < 32 || blockSize > 1024 || blockSize % 32 != 0) {
      getOperation().emitError("openopt-gpu-row-reductions: block-size must be a multiple of 32 "
                               "from 32 to 1024");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> reductions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (eligible(op))
        reductions.push_back(op);
    });
    for (linalg::GenericOp op : reductions)
      rewrite(op);
  }

  void rewrite(linalg::GenericOp op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Fold fold = *foldOf(op);
    SmallVector<Range> ranges =
        cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc);
    auto value = [&](OpFoldResult r) { return getValueOrCreateConstantIndexOp(b, loc, r); };
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value rows = one;
    for (Range &r : llvm::drop_end(ranges))
      rows = arith::MulIOp::create(b, loc, rows, value(r.size));
    Value length = value(ranges.back().size);
    Value threads = arith::ConstantIndexOp::create(b, loc, blockSize);
    auto launch = openLaunch(b, loc, rows, Value(), Value(), threads);

    // The row's indices, the last dimension fastest.
    SmallVector<Value> ivs(ranges.size());
    Value rest = launch.getBlockIds().x;
    for (int64_t i = int64_t(ranges.size()) - 2; i >= 0; --i) {
      Value size = value(ranges[i].size);
      ivs[i] = i == 0 ? rest : arith::RemUIOp::create(b, loc, rest, size).getResult();
      if (i > 0)
        rest = arith::DivUIOp::create(b, loc, rest, size);
    }
    Type f32 = b.getF32Type();
    Value identity = arith::ConstantOp::create(b, loc, b.getFloatAttr(f32, fold.identity));
    Value tid = launch.getThreadIds().x;
    auto loop = scf::ForOp::create(b, loc, tid, length, threads, ValueRange{identity});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      ivs.back() = loop.getInductionVar();
      IRMapping mapping;
      Block &body = op.getRegion().front();
      for (OpOperand *input : op.getDpsInputOperands()) {
        AffineMap map = op.getMatchingIndexingMap(input);
        SmallVector<Value> indices;
        for (unsigned r = 0; r < map.getNumResults(); ++r)
          indices.push_back(affine::AffineApplyOp::create(b, loc, map.getSubMap({r}), ivs));
        mapping.map(body.getArgument(input->getOperandNumber()),
                    memref::LoadOp::create(b, loc, input->get(), indices));
      }
      for (Operation &inner : body.without_terminator())
        if (&inner != fold.combiner)
          b.clone(inner, mapping);
      // The fold with the running value where the output was.
      mapping.map(body.getArguments().back(), loop.getRegionIterArgs()[0]);
      Value folded = b.clone(*fold.combiner, mapping)->getResult(0);
      scf::YieldOp::create(b, loc, folded);
    }
    auto all = gpu::AllReduceOp::create(b, loc, loop.getResult(0),
                                        gpu::AllReduceOperationAttr::get(b.getContext(), fold.kind),
                                        /*uniform=*/true);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    auto first = scf::IfOp::create(b, loc,
                                   arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, zero),
                                   false);
    b.setInsertionPoint(first.thenBlock()->getTerminator());
    Value out = op.getDpsInitOperand(0)->get();
    SmallVector<Value> rowIndices(ivs.begin(), ivs.end() - 1);
    Value old = memref::LoadOp::create(b, loc, out, rowIndices);
    IRMapping last;
    last.map(op.getRegion().front().getArguments().back(), old);
    last.map(fold.element, all.getResult());
    memref::StoreOp::create(b, loc, b.clone(*fold.combiner, last)->getResult(0), out, rowIndices);

    nameKernel(launch, loc, cost(op));
    op->erase();
  }

  /// The row's element arithmetic and its fold, per element; the inputs
  /// read once and the output read and written.
  static KernelCost cost(linalg::GenericOp op) {
    KernelCost cost;
    auto ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return cost;
    int64_t elements = 1;
    for (int64_t r : ranges)
      elements *= r;
    int64_t perElement = 0;
    for (Operation &inner : op.getRegion().front().without_terminator())
      perElement += inner.getNumResults() == 1 && isa<FloatType>(inner.getResult(0).getType()) &&
                    !isa<arith::ConstantOp>(inner);
    cost.flops = elements * perElement;
    int64_t bytes = 0;
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = cast<MemRefType>(operand.get().getType());
      if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
        return cost;
      int64_t size = type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
      bytes += op.isDpsInit(&operand) ? 2 * size : size;
    }
    cost.bytes = bytes;
    return cost;
  }
};
} // namespace
} // namespace openopt
