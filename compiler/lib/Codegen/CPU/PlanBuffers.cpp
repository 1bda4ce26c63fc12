//===- PlanBuffers.cpp - the openopt-plan-buffers pass ---------------------===//
//
// Liveness-based placement of a function's intermediate buffers in one
// arena (see Passes.td for what qualifies). Positions are indices of ops in
// the function's top-level block; a use nested in a loop or branch counts
// at the op that holds it.
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <optional>

namespace openopt {
#define GEN_PASS_DEF_PLANBUFFERSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {

constexpr int64_t kAlignment = 64;
// Larger buffers (and arenas) are left to their own allocations.
constexpr int64_t kMaxBytes = int64_t(1) << 40;

struct Buffer {
  mlir::memref::AllocOp alloc;
  mlir::memref::DeallocOp dealloc;
  int64_t bytes = 0;
  unsigned first = 0, last = 0; // live range, inclusive
  int64_t offset = 0;
};

int64_t alignUp(int64_t value) { return (value + kAlignment - 1) / kAlignment * kAlignment; }

// Bytes of a static, identity-layout buffer. Elements must be 1, 2, 4, 8 or
// 16 bytes: LLVM steps through an i24 or f80 array by its allocation size
// (4, 16), not by the bits it holds.
std::optional<int64_t> plainBytes(mlir::MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() || type.getMemorySpace())
    return std::nullopt;
  mlir::Type element = type.getElementType();
  if (!element.isIntOrIndexOrFloat() || element.isIndex())
    return std::nullopt;
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits < 8 || bits > 128 || !llvm::isPowerOf2_32(bits))
    return std::nullopt;
  int64_t count = type.getNumElements();
  int64_t bytes = bits / 8;
  if (count > kMaxBytes / bytes)
    return std::nullopt;
  return count * bytes;
}

// Whether `user` only reads or writes the buffer through `value` while it
// runs (so its position bounds the buffer's life), or is a view of it.
// Anything else might keep the buffer, or a pointer into it, beyond.
bool usesInPlace(mlir::Operation *user, mlir::Value value) {
  if (auto view = llvm::dyn_cast<mlir::ViewLikeOpInterface>(user))
    return view.getViewSource() == value && user->getNumResults() == 1;
  if (auto load = llvm::dyn_cast<mlir::memref::LoadOp>(user))
    return load.getMemRef() == value;
  if (auto store = llvm::dyn_cast<mlir::memref::StoreOp>(user))
    return store.getMemRef() == value;
  if (llvm::isa<mlir::memref::CopyOp, mlir::memref::DimOp>(user))
    return true;
  auto noMemrefResults = [&] {
    return llvm::none_of(user->getResultTypes(),
                         [](mlir::Type t) { return llvm::isa<mlir::BaseMemRefType>(t); });
  };
  if (llvm::isa<mlir::func::CallOp>(user))
    return noMemrefResults(); // kernels: they return nothing
  if (auto linalg = llvm::dyn_cast<mlir::linalg::LinalgOp>(user))
    return linalg.hasPureBufferSemantics() && noMemrefResults();
  return false;
}

// Fills in the buffer's last use and its one dealloc; false when the buffer
// might outlive what the positions show.
bool traceUses(Buffer &buffer, mlir::Block &block,
               const llvm::DenseMap<mlir::Operation *, unsigned> &position) {
  mlir::Value root = buffer.alloc.getResult();
  llvm::SmallVector<mlir::Value> aliases = {root};
  while (!aliases.empty()) {
    mlir::Value value = aliases.pop_back_val();
    for (mlir::OpOperand &use : value.getUses()) {
      mlir::Operation *user = use.getOwner();
      if (auto dealloc = llvm::dyn_cast<mlir::memref::DeallocOp>(user)) {
        if (value != root || user->getBlock() != &block || buffer.dealloc)
          return false;
        buffer.dealloc = dealloc;
        continue;
      }
      mlir::Operation *top = block.findAncestorOpInBlock(*user);
      if (!top || !usesInPlace(user, value))
        return false;
      if (llvm::isa<mlir::ViewLikeOpInterface>(user))
        aliases.push_back(user->getResult(0));
      buffer.last = std::max(buffer.last, position.lookup(top));
    }
  }
  return bool(buffer.dealloc);
}

// Greedy placement: largest first, each at the lowest offset that no buffer
// live at the same time occupies. Returns the arena's size.
int64_t place(llvm::MutableArrayRef<Buffer> buffers) {
  llvm::SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  // Allocations have distinct positions: a total order, so a deterministic plan.
  llvm::sort(order, [](Buffer *a, Buffer *b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
  });
  llvm::SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *b : order) {
    llvm::SmallVector<Buffer *> overlapping;
    for (Buffer *p : placed)
      if (p->first <= b->last && b->first <= p->last)
        overlapping.push_back(p);
    llvm::sort(overlapping, [](Buffer *x, Buffer *y) { return x->offset < y->offset; });
    int64_t offset = 0;
    for (Buffer *p : overlapping) {
      if (offset + b->bytes <= p->offset)
        break; // fits in the gap before p
      offset = std::max(offset, alignUp(p->offset + p->bytes));
    }
    b->offset = offset;
    total = std::max(total, alignUp(offset + b->bytes));
    placed.push_back(b);
  }
  return total;
}

struct PlanBuffersPass : impl::PlanBuffersPassBase<PlanBuffersPass> {
  void runOnOperation() override {
    mlir::func::FuncOp func = getOperation();
    if (func->hasAttr(kKernelAttr) || func.isExternal() || !func.getBody().hasOneBlock())
      return;
    mlir::Block &block = func.getBody().front();
    llvm::DenseMap<mlir::Operation *, unsigned> position;
    unsigned index = 0;
    for (mlir::Operation &op : block)
      position[&op] = index++;

    llvm::SmallVector<Buffer> buffers;
    for (auto alloc : block.getOps<mlir::memref::AllocOp>()) {
      std::optional<int64_t> bytes = plainBytes(alloc.getType());
      if (!bytes || *bytes == 0 || !alloc.getSymbolOperands().empty() ||
          alloc.getAlignment().value_or(0) > kAlignment)
        continue;
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.bytes = *bytes;
      buffer.first = buffer.last = position.lookup(alloc);
      if (traceUses(buffer, block, position))
        buffers.push_back(buffer);
    }
    if (buffers.size() < 2)
      return;
    int64_t total = place(buffers);
    if (total > kMaxBytes)
      return;

    mlir::OpBuilder builder(&block, block.begin());
    mlir::Location loc = func.getLoc();
    auto arenaType = mlir::MemRefType::get({total}, builder.getI8Type());
    mlir::Value arena = mlir::memref::AllocOp::create(builder, loc, arenaType,
                                                      builder.getI64IntegerAttr(kAlignment));
    for (Buffer &buffer : buffers) {
      builder.setInsertionPoint(buffer.alloc);
      mlir::Value offset =
          mlir::arith::ConstantIndexOp::create(builder, buffer.alloc.getLoc(), buffer.offset);
      mlir::Value view = mlir::memref::ViewOp::create(builder, buffer.alloc.getLoc(),
                                                      buffer.alloc.getType(), arena, offset,
                                                      mlir::ValueRange());
      buffer.alloc.getResult().replaceAllUsesWith(view);
      buffer.dealloc.erase();
      buffer.alloc.erase();
    }
    builder.setInsertionPoint(block.getTerminator());
    mlir::memref::DeallocOp::create(builder, loc, arena);
  }
};

} // namespace
} // namespace openopt
