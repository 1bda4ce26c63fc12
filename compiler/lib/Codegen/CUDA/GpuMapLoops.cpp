//===- GpuMapLoops.cpp - the openopt-gpu-map-loops pass -------------------===//
#include "openopt/Codegen/CUDA/Passes.h"

#include "KernelNames.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace openopt {
#define GEN_PASS_DEF_GPUMAPLOOPSPASS
#include "openopt/Codegen/CUDA/Passes.h.inc"

namespace {
using namespace mlir;

bool insideKernel(Operation *op) { return op->getParentOfType<gpu::LaunchOp>() != nullptr; }

/// Ops that read or write a buffer's elements (which on the host would touch
/// device memory).
bool accessesElements(Operation *op) {
  return isa<memref::LoadOp, memref::StoreOp, affine::AffineLoadOp, affine::AffineStoreOp,
             vector::TransferReadOp, vector::TransferWriteOp, vector::LoadOp, vector::StoreOp,
             linalg::LinalgOp, memref::CopyOp>(op);
}

bool containsLaunch(Operation *op) {
  return op->walk([](gpu::LaunchOp) { return WalkResult::interrupt(); }).wasInterrupted();
}

/// Lets a * b + c contract into one FMA (what ptxas does for CUDA C++ by
/// default; the product is then not rounded on its own).
void allowContraction(gpu::LaunchOp launch) {
  launch.walk([](Operation *op) {
    if (auto fastmath = dyn_cast<arith::ArithFastMathInterface>(op))
      if (isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(op)) {
        auto flags = fastmath.getFastMathFlagsAttr();
        auto contract = arith::FastMathFlagsAttr::get(
            op->getContext(), flags.getValue() | arith::FastMathFlags::contract);
        op->setAttr(fastmath.getFastMathAttrName(), contract);
      }
  });
}

struct GpuMapLoopsPass : impl::GpuMapLoopsPassBase<GpuMapLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      getOperation().emitError("openopt-gpu-map-loops: block-size must be 1 to 1024, not ")
          << blockSize;
      return signalPassFailure();
    }
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<scf::ParallelOp> loops;
      func.walk([&](scf::ParallelOp loop) {
        if (!insideKernel(loop) && !loop->getParentOfType<scf::ParallelOp>())
          loops.push_back(loop);
      });
      for (scf::ParallelOp loop : loops)
        if (failed(mapLoop(loop)))
          return signalPassFailure();
      if (failed(moveLeftoverAccesses(func)))
        return signalPassFailure();
    }
  }

  /// scf.parallel (i, j) = (lb) to (ub) step (s) { body } becomes
  ///   gpu.launch blocks(ceil(n / B)) threads(B) {
  ///     linear = block_id * B + thread_id
  ///     if linear < n { i, j = delinearized linear; body } }
  /// with n the product of the dimensions' trip counts.
  LogicalResult mapLoop(scf::ParallelOp loop) {
    if (loop.getNumResults() != 0)
      return loop.emitError("the cuda target cannot run a parallel loop with reductions");
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    SmallVector<Value> tripCounts;
    Value total = arith::ConstantIndexOp::create(b, loc, 1);
    for (auto [lb, ub, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      Value extent = b.createOrFold<arith::SubIOp>(loc, ub, lb);
      Value trips = b.createOrFold<arith::CeilDivSIOp>(loc, extent, step);
      tripCounts.push_back(trips);
      total = b.createOrFold<arith::MulIOp>(loc, total, trips);
    }
    // Small loops get one block of whole warps.
    int64_t threadCount = blockSize;
    if (auto known = getConstantIntValue(total); known && *known < blockSize)
      threadCount = std::max<int64_t>(32, (*known + 31) / 32 * 32);
    Value threads = arith::ConstantIndexOp::create(b, loc, threadCount);
    Value blocks = b.createOrFold<arith::CeilDivUIOp>(loc, total, threads);
    gpu::LaunchOp launch = openLaunch(b, loc, blocks, Value(), Value(), threads);
    Value linear = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, threads),
        launch.getThreadIds().x);
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, total);
    auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
    IRMapping mapping;
    Value rest = linear;
    for (int64_t i = static_cast<int64_t>(tripCounts.size()) - 1; i >= 0; --i) {
      Value index = i == 0 ? rest : arith::RemUIOp::create(b, loc, rest, tripCounts[i]);
      if (i > 0)
        rest = arith::DivUIOp::create(b, loc, rest, tripCounts[i]);
      Value iv = arith::AddIOp::create(
          b, loc, loop.getLowerBound()[i],
          arith::MulIOp::create(b, loc, index, loop.getStep()[i]));
      mapping.map(loop.getInductionVars()[i], iv);
    }
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);
    allowContraction(launch);
    auto iterations = getConstantIntValue(total);
    nameKernel(launch, loc, costOf(launch.getBody(), iterations ? *iterations : -1));
    loop.erase();
    return success();
  }

  /// What still touches buffers on the host: each outermost such op (a loop
  /// nest with only reductions, a leftover copy) runs in a one-thread
  /// kernel, unless the host needs a value it computes.
  LogicalResult moveLeftoverAccesses(func::FuncOp func) {
    SmallVector<Operation *> roots;
    WalkResult walk = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (!accessesElements(op))
        return WalkResult::advance();
      // The outermost enclosing op (below the function) with no kernel in it.
      Operation *root = op;
      while (root->getParentOp() != func && !containsLaunch(root->getParentOp()))
        root = root->getParentOp();
      for (Value result : root->getResults())
        for (Operation *user : result.getUsers())
          if (!root->isAncestor(user)) {
            op->emitError("the cuda target cannot compute on the host what needs a tensor's "
                          "value (control flow or shapes that depend on data)");
            return WalkResult::interrupt();
          }
      if (!llvm::is_contained(roots, root))
        roots.push_back(root);
      return WalkResult::skip();
    });
    if (walk.wasInterrupted())
      return failure();
    for (Operation *root : roots) {
      OpBuilder b(root);
      gpu::LaunchOp launch = openLaunch(b, root->getLoc(), Value(), Value(), Value(), Value());
      root->moveBefore(launch.getBody().front().getTerminator());
      allowContraction(launch);
      nameKernel(launch, root->getLoc(), costOf(launch.getBody(), 1));
    }
    return success();
  }
};
} // namespace
} // namespace openopt
