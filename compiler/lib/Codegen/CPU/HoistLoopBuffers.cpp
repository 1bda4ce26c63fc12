//===- HoistLoopBuffers.cpp - the openopt-hoist-loop-buffers pass ----------===//
//
// A chunked kernel (a Winograd convolution's tile rows, an im2col chunk)
// allocates its scratch buffers in the body of its loop over chunks, and the
// buffer deallocation pipeline frees them at the end of that body: one
// malloc and free per buffer per chunk, 9 of each per chunk for resnet18w48's
// 56x56 Winograd convolutions. A new buffer's contents are undefined, so an
// iteration that runs after another may as well get the buffer the last one
// used: once the loops are sequential, the allocation moves before the
// outermost loop it sits in and its free after that loop.
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace openopt {
#define GEN_PASS_DEF_HOISTLOOPBUFFERSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
using namespace mlir;

// The dealloc of `alloc` when it is its only one and lies in its block.
memref::DeallocOp deallocInBlock(memref::AllocOp alloc) {
  memref::DeallocOp found;
  for (Operation *user : alloc->getUsers())
    if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
      if (found || dealloc->getBlock() != alloc->getBlock())
        return {};
      found = dealloc;
    }
  return found;
}

// The outermost op the allocation can move before: up through sequential
// loops and the alloca scopes around their bodies, to the first op of
// another kind (a function, a parallel region, a branch). Null unless a
// loop is crossed.
Operation *hoistTarget(memref::AllocOp alloc) {
  Operation *target = nullptr;
  for (Operation *parent = alloc->getParentOp(); parent; parent = parent->getParentOp()) {
    if (isa<scf::ForOp>(parent))
      target = parent;
    else if (!isa<memref::AllocaScopeOp>(parent))
      break;
  }
  return target;
}

struct HoistLoopBuffersPass : impl::HoistLoopBuffersPassBase<HoistLoopBuffersPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk([&](memref::AllocOp alloc) {
      if (alloc.getType().hasStaticShape() && alloc.getSymbolOperands().empty())
        allocs.push_back(alloc);
    });
    for (memref::AllocOp alloc : allocs) {
      memref::DeallocOp dealloc = deallocInBlock(alloc);
      Operation *target = dealloc ? hoistTarget(alloc) : nullptr;
      if (!target)
        continue;
      alloc->moveBefore(target);
      dealloc->moveAfter(target);
    }
  }
};

} // namespace
} // namespace openopt
