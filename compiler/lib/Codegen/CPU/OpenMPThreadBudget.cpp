//===- OpenMPThreadBudget.cpp - a run-time cap on parallel regions --------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace openopt {
#define GEN_PASS_DEF_OPENMPTHREADBUDGETPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

using namespace mlir;

namespace {

struct OpenMPThreadBudgetPass : impl::OpenMPThreadBudgetPassBase<OpenMPThreadBudgetPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<omp::ParallelOp> regions;
    module.walk([&](omp::ParallelOp op) {
      if (op.getNumThreads() && isa<IntegerType>(op.getNumThreads().getType()))
        regions.push_back(op);
    });
    if (regions.empty())
      return;
    OpBuilder b(module.getContext());
    auto i32 = b.getI32Type();
    SymbolTable symbols(module);
    auto budgetFn = symbols.lookup<func::FuncOp>(kThreadBudgetHook);
    if (!budgetFn) {
      b.setInsertionPointToStart(module.getBody());
      budgetFn = func::FuncOp::create(b, module.getLoc(), kThreadBudgetHook,
                                      b.getFunctionType({}, {i32}));
      budgetFn.setPrivate();
      symbols.insert(budgetFn);
    }
    for (omp::ParallelOp op : regions) {
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      Value compiled = op.getNumThreads();
      Type type = compiled.getType();
      Value budget = func::CallOp::create(b, loc, budgetFn, ValueRange{}).getResult(0);
      if (type.getIntOrFloatBitWidth() > 32)
        budget = arith::ExtSIOp::create(b, loc, type, budget);
      else if (type.getIntOrFloatBitWidth() < 32)
        budget = arith::TruncIOp::create(b, loc, type, budget);
      Value zero = arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, 0));
      Value capped = arith::MinSIOp::create(b, loc, compiled, budget);
      Value given = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, budget, zero);
      Value threads = arith::SelectOp::create(b, loc, given, capped, compiled);
      op.getNumThreadsMutable().assign(threads);
    }
  }
};

} // namespace
} // namespace openopt
