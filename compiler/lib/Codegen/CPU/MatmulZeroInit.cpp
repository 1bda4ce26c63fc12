//===- MatmulZeroInit.cpp - matmuls that start from zero, in the schedule -===//
#include "MatmulZeroInit.h"

#include "openopt/Support/MatmulZeroInit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/CallInterfaces.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace openopt {

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kGuardAttr = "openopt.zero_init_guard";

Value zeroOf(OpBuilder &b, Location loc, VectorType type) {
  auto zeros = DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType()));
  return arith::ConstantOp::create(b, loc, type, zeros);
}

// Whether `value` is computed from `root` (through the ops defining it).
bool dependsOn(Value value, Value root) {
  SmallVector<Value> work = {value};
  llvm::SmallPtrSet<Value, 16> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (v == root)
      return true;
    if (!seen.insert(v).second)
      continue;
    if (Operation *def = v.getDefiningOp())
      llvm::append_range(work, def->getOperands());
  }
  return false;
}

// The memref a vector load or transfer_read reads, else null.
Value loadedMemref(Operation *op) {
  if (auto load = dyn_cast<vector::LoadOp>(op))
    return load.getBase();
  if (auto read = dyn_cast<vector::TransferReadOp>(op))
    return isa<MemRefType>(read.getBase().getType()) ? read.getBase() : Value();
  return {};
}

// Whether `op` (or an op nested in it) loads from `memref`.
bool loadsFrom(Operation *op, Value memref) {
  bool found = false;
  op->walk([&](Operation *nested) { found |= loadedMemref(nested) == memref; });
  return found;
}

// The loads of `out` that build `init` (through vector.insert, from a
// poison or constant start); false if anything else does.
bool collectInitLoads(Value init, Value out, llvm::SetVector<Operation *> &loads) {
  // The accumulators of a loop over K tiles, hoisted out of it too (a
  // schedule whose one register tile spans the whole slice): its start.
  if (auto arg = dyn_cast<BlockArgument>(init))
    if (auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp()))
      if (arg.getArgNumber() >= loop.getNumInductionVars())
        return collectInitLoads(loop.getInitArgs()[arg.getArgNumber() - loop.getNumInductionVars()],
                                out, loads);
  Operation *def = init.getDefiningOp();
  if (!def)
    return false;
  if (auto insert = dyn_cast<vector::InsertOp>(def))
    return collectInitLoads(insert.getValueToStore(), out, loads) &&
           collectInitLoads(insert.getDest(), out, loads);
  if (isa<ub::PoisonOp, arith::ConstantOp>(def))
    return true;
  if (loadedMemref(def) == out) {
    loads.insert(def);
    return true;
  }
  return false;
}

} // namespace

bool hasZeroInit(Operation *op) { return op->hasAttr(kZeroInitAttr); }

linalg::FillOp guardZeroInit(linalg::LinalgOp matmul) {
  OpBuilder b(matmul);
  Location loc = matmul.getLoc();
  Value out = matmul.getDpsInits()[0];
  Type element = cast<MemRefType>(out.getType()).getElementType();
  Value zero = arith::ConstantOp::create(b, loc, element, b.getZeroAttr(element));
  auto fill = linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{out});
  fill->setAttr(kGuardAttr, b.getUnitAttr());
  matmul->removeAttr(kZeroInitAttr);
  return fill;
}

bool isZeroInitGuard(Operation *op) { return op->hasAttr(kGuardAttr); }

void finishZeroInit(linalg::FillOp guard, Value a, Value b) {
  guard->removeAttr(kGuardAttr);
  Value out = guard.getDpsInits()[0];
  // The register tiles' reduction loops: the loops after the guard whose
  // bodies read both operands of this matmul. The schedule leaves only
  // loops and vector code where the matmul was; the next linalg op (another
  // matmul's guard), call or copy ends the search.
  SmallVector<scf::ForOp> reductions;
  for (Operation *op = guard->getNextNode(); op; op = op->getNextNode()) {
    if (isa<linalg::LinalgOp, CallOpInterface, memref::CopyOp>(op))
      break;
    op->walk([&](scf::ForOp loop) {
      bool readsOperands = false;
      for (Operation &inner : loop.getBody()->getOperations())
        readsOperands |= loadedMemref(&inner) == a;
      if (readsOperands && loadsFrom(loop, b))
        reductions.push_back(loop);
    });
  }
  if (reductions.empty())
    return;
  llvm::SetVector<Operation *> loads;
  for (scf::ForOp loop : reductions) {
    // Accumulators loaded in the loop (not hoisted): the output is read on
    // every step, so it must hold zeros.
    if (loadsFrom(loop, out))
      return;
    for (Value init : loop.getInitArgs())
      if (!collectInitLoads(init, out, loads))
        return;
  }
  for (Operation *load : loads) {
    OpBuilder b(load);
    Location loc = load->getLoc();
    auto type = cast<VectorType>(load->getResult(0).getType());
    // The loop over K tiles is the enclosing loop that does not index the
    // output (the others are its M and N tiles).
    scf::ForOp kTiles;
    for (Operation *p = load->getParentOp(); p && p != guard->getParentOp(); p = p->getParentOp()) {
      auto loop = dyn_cast<scf::ForOp>(p);
      if (!loop)
        continue;
      Value iv = loop.getInductionVar();
      if (llvm::none_of(load->getOperands().drop_front(),
                        [&](Value index) { return dependsOn(index, iv); })) {
        kTiles = loop;
        break;
      }
    }
    Value start;
    if (!kTiles) {
      start = zeroOf(b, loc, type);
    } else {
      // Later K tiles go on from the partial sums stored by the earlier ones.
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          kTiles.getInductionVar(), kTiles.getLowerBound());
      auto choice = scf::IfOp::create(b, loc, TypeRange{type}, first, /*withElse=*/true);
      OpBuilder thenB = choice.getThenBodyBuilder();
      scf::YieldOp::create(thenB, loc, zeroOf(thenB, loc, type));
      OpBuilder elseB = choice.getElseBodyBuilder();
      Operation *moved = elseB.clone(*load);
      scf::YieldOp::create(elseB, loc, moved->getResult(0));
      start = choice.getResult(0);
    }
    load->getResult(0).replaceAllUsesWith(start);
    load->erase();
  }
  guard->erase();
}

void materializeZeroInit(linalg::LinalgOp matmul) {
  guardZeroInit(matmul)->removeAttr(kGuardAttr);
}

} // namespace openopt
