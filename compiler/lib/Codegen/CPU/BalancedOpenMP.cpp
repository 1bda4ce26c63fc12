//===- BalancedOpenMP.cpp - the openopt-balanced-openmp pass --------------===//
//
// scf.parallel -> omp.parallel in which each thread runs one contiguous range
// of the (linearized) iterations, sized by the thread's measured speed
// instead of OpenMP's equal static shares.
//
// Why: on the 2-vCPU hosts one CPU runs 10-20% slower than the other for
// minutes at a time (the hypervisor's other guests), so equal shares leave
// the fast thread waiting at every join (perf and per-region timing: 5-8% of
// a run at two threads). A dynamic schedule balances that but gives each
// chunk a different owner on every run, and the next kernel then reads its
// input from the other core's cache (resnet18w48 was slower with it).
// Contiguous ranges keep the owners; only the boundary moves.
//
// Per loop, a private global holds one speed per thread (1.0 to start).
// Before the region the ranges are cut where the cumulative speed is
// proportional: thread t starts at round(N * sum(speed[0..t)) / sum(speed)),
// which is the equal static split when the speeds are equal (7 iterations:
// 4 + 3). Each thread stamps the cycle counter when it finishes; after the
// join, each thread's iterations per cycle since the fork (its late start
// included) move its speed a fifth of the way towards that rate relative to
// the threads' mean, clamped to [1/2, 2]. The ranges are computed before the
// fork and the speeds change only after the join, so every thread sees the
// same split. A region that gets a different number of threads than asked
// for (nested in a user's parallel region) falls back to equal shares.
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace openopt {
#define GEN_PASS_DEF_BALANCEDOPENMPPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {

using namespace mlir;

constexpr double kSpeedStep = 0.2;
constexpr double kMinSpeed = 0.5, kMaxSpeed = 2.0;

struct Builder {
  OpBuilder &b;
  Location loc;
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f64(double v) { return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v)); }
  Value toF64(Value i) {
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), i);
    return arith::SIToFPOp::create(b, loc, b.getF64Type(), i64);
  }
  Value cycles() {
    return LLVM::CallIntrinsicOp::create(b, loc, b.getI64Type(),
                                         b.getStringAttr("llvm.readcyclecounter"), ValueRange{})
        .getResult(0);
  }
};

// `name`, or `name`_1, _2, ... : the first that the module does not define.
std::string freeSymbol(SymbolTable &symbols, llvm::StringRef name) {
  std::string candidate = name.str();
  for (int i = 1; symbols.lookup(candidate); ++i)
    candidate = (name + "_" + llvm::Twine(i)).str();
  return candidate;
}

func::FuncOp declareRuntimeFunction(ModuleOp module, SymbolTable &symbols, llvm::StringRef name,
                                    Type result) {
  if (auto existing = symbols.lookup<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto fn = func::FuncOp::create(b, module.getLoc(), name,
                                 b.getFunctionType(TypeRange{}, TypeRange{result}));
  fn.setPrivate();
  symbols.insert(fn);
  return fn;
}

void balance(scf::ParallelOp loop, int64_t threads, memref::GlobalOp speedsGlobal,
             func::FuncOp threadNum, func::FuncOp numThreads) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  Builder h{b, loc};
  auto scope = memref::AllocaScopeOp::create(b, loc, TypeRange{});
  Block *scopeBody = b.createBlock(&scope.getBodyRegion());
  b.setInsertionPointToStart(scopeBody);

  // Trip counts and their product.
  int64_t dims = loop.getNumLoops();
  SmallVector<Value> counts;
  Value total = h.index(1);
  for (int64_t d = 0; d < dims; ++d) {
    Value lb = loop.getLowerBound()[d], ub = loop.getUpperBound()[d], step = loop.getStep()[d];
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    Value count = arith::CeilDivUIOp::create(b, loc, span, step);
    // An empty range (ub <= lb) runs nothing.
    count = arith::SelectOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, ub, lb), h.index(0),
        count);
    counts.push_back(count);
    total = arith::MulIOp::create(b, loc, total, count);
  }

  // The ranges: bounds[t] = round(N * sum(speed[0..t)) / sum(speed)).
  auto f64Type = b.getF64Type();
  Value speeds = memref::GetGlobalOp::create(b, loc, speedsGlobal.getType(),
                                             speedsGlobal.getSymName());
  auto boundsType = MemRefType::get({threads + 1}, b.getIndexType());
  Value bounds = memref::AllocaOp::create(b, loc, boundsType);
  Value ends = memref::AllocaOp::create(b, loc, MemRefType::get({threads}, b.getI64Type()));
  SmallVector<Value> speed;
  Value sum = h.f64(0.0);
  for (int64_t t = 0; t < threads; ++t) {
    speed.push_back(memref::LoadOp::create(b, loc, speeds, ValueRange{h.index(t)}));
    sum = arith::AddFOp::create(b, loc, sum, speed.back());
  }
  Value totalF = h.toF64(total);
  memref::StoreOp::create(b, loc, h.index(0), bounds, ValueRange{h.index(0)});
  Value cumulative = h.f64(0.0);
  for (int64_t t = 1; t < threads; ++t) {
    cumulative = arith::AddFOp::create(b, loc, cumulative, speed[t - 1]);
    Value share = arith::DivFOp::create(
        b, loc, arith::MulFOp::create(b, loc, totalF, cumulative), sum);
    Value rounded = math::FloorOp::create(b, loc, arith::AddFOp::create(b, loc, share, h.f64(0.5)));
    Value bound = arith::IndexCastOp::create(
        b, loc, b.getIndexType(), arith::FPToSIOp::create(b, loc, b.getI64Type(), rounded));
    bound = arith::MinSIOp::create(b, loc, bound, total);
    memref::StoreOp::create(b, loc, bound, bounds, ValueRange{h.index(t)});
  }
  memref::StoreOp::create(b, loc, total, bounds, ValueRange{h.index(threads)});
  for (int64_t t = 0; t < threads; ++t)
    memref::StoreOp::create(b, loc, arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)),
                            ends, ValueRange{h.index(t)});

  Value start = h.cycles();
  Value numThreadsConst =
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(static_cast<int32_t>(threads)));
  auto parallel = omp::ParallelOp::create(b, loc, omp::ParallelOperands{});
  parallel.getNumThreadsMutable().assign(numThreadsConst);
  {
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&parallel.getRegion());
    Value tid32 = func::CallOp::create(b, loc, threadNum, ValueRange{}).getResult(0);
    Value nt32 = func::CallOp::create(b, loc, numThreads, ValueRange{}).getResult(0);
    Value tid = arith::IndexCastOp::create(b, loc, b.getIndexType(), tid32);
    Value nt = arith::IndexCastOp::create(b, loc, b.getIndexType(), nt32);
    Value asked = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, nt, h.index(threads));
    // Equal shares for another thread count.
    Value evenLo = arith::DivUIOp::create(b, loc, arith::MulIOp::create(b, loc, tid, total), nt);
    Value evenHi = arith::DivUIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, arith::AddIOp::create(b, loc, tid, h.index(1)), total), nt);
    // (Loads clamped into range: the other branch's thread numbers can
    // exceed the bounds array.)
    Value slot = arith::MinUIOp::create(b, loc, tid, h.index(threads - 1));
    Value lo = memref::LoadOp::create(b, loc, bounds, ValueRange{slot});
    Value hi = memref::LoadOp::create(
        b, loc, bounds, ValueRange{arith::AddIOp::create(b, loc, slot, h.index(1))});
    lo = arith::SelectOp::create(b, loc, asked, lo, evenLo);
    hi = arith::SelectOp::create(b, loc, asked, hi, evenHi);
    auto forOp = scf::ForOp::create(b, loc, lo, hi, h.index(1));
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(forOp.getBody());
      // Allocas of the body are freed per iteration, as convert-scf-to-openmp does.
      auto bodyScope = memref::AllocaScopeOp::create(b, loc, TypeRange{});
      Block *body = b.createBlock(&bodyScope.getBodyRegion());
      b.setInsertionPointToStart(body);
      IRMapping mapping;
      Value rest = forOp.getInductionVar();
      for (int64_t d = dims - 1; d >= 0; --d) {
        Value idx = d == 0 ? rest : arith::RemUIOp::create(b, loc, rest, counts[d]).getResult();
        if (d > 0)
          rest = arith::DivUIOp::create(b, loc, rest, counts[d]);
        Value iv = arith::AddIOp::create(
            b, loc, loop.getLowerBound()[d],
            arith::MulIOp::create(b, loc, idx, loop.getStep()[d]));
        mapping.map(loop.getInductionVars()[d], iv);
      }
      for (Operation &op : loop.getBody()->without_terminator())
        b.clone(op, mapping);
      memref::AllocaScopeReturnOp::create(b, loc, ValueRange{});
    }
    b.setInsertionPointAfter(forOp);
    Value done = h.cycles();
    // Only the threads the split was made for report (the fallback leaves
    // the stamps at 0, which the update below skips).
    auto report = scf::IfOp::create(b, loc, asked, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(report.thenBlock());
      memref::StoreOp::create(b, loc, done, ends, ValueRange{slot});
    }
    omp::TerminatorOp::create(b, loc);
  }

  // After the join: each thread's iterations per cycle since the fork,
  // relative to the mean; the speed moves a step towards it. Skipped unless
  // every thread had work and reported.
  b.setInsertionPointAfter(parallel);
  SmallVector<Value> rates;
  Value valid = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  Value rateSum = h.f64(0.0);
  for (int64_t t = 0; t < threads; ++t) {
    Value lo = memref::LoadOp::create(b, loc, bounds, ValueRange{h.index(t)});
    Value hi = memref::LoadOp::create(b, loc, bounds, ValueRange{h.index(t + 1)});
    Value end = memref::LoadOp::create(b, loc, ends, ValueRange{h.index(t)});
    Value elapsed = arith::SubIOp::create(b, loc, end, start);
    Value work = arith::SubIOp::create(b, loc, hi, lo);
    Value ok = arith::AndIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, elapsed,
                                      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0))),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, work, h.index(0)));
    valid = arith::AndIOp::create(b, loc, valid, ok);
    Value rate = arith::DivFOp::create(b, loc, h.toF64(work),
                                       arith::SIToFPOp::create(b, loc, f64Type, elapsed));
    rates.push_back(rate);
    rateSum = arith::AddFOp::create(b, loc, rateSum, rate);
  }
  auto update = scf::IfOp::create(b, loc, valid, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(update.thenBlock());
    Value mean = arith::DivFOp::create(b, loc, rateSum, h.f64(static_cast<double>(threads)));
    for (int64_t t = 0; t < threads; ++t) {
      Value relative = arith::DivFOp::create(b, loc, rates[t], mean);
      relative = arith::MaximumFOp::create(b, loc, relative, h.f64(kMinSpeed));
      relative = arith::MinimumFOp::create(b, loc, relative, h.f64(kMaxSpeed));
      Value moved = arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, speed[t], h.f64(1.0 - kSpeedStep)),
          arith::MulFOp::create(b, loc, relative, h.f64(kSpeedStep)));
      memref::StoreOp::create(b, loc, moved, speeds, ValueRange{h.index(t)});
    }
  }
  memref::AllocaScopeReturnOp::create(b, loc, ValueRange{});
  loop.erase();
}

struct BalancedOpenMPPass : impl::BalancedOpenMPPassBase<BalancedOpenMPPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (numThreads < 2)
      return;
    // Outermost loops without reductions (others are left to
    // convert-scf-to-openmp).
    SmallVector<scf::ParallelOp> loops;
    module.walk([&](scf::ParallelOp loop) {
      if (loop.getInitVals().empty() && !loop->getParentOfType<scf::ParallelOp>() &&
          !loop->getParentOfType<omp::ParallelOp>())
        loops.push_back(loop);
    });
    if (loops.empty())
      return;
    SymbolTable symbols(module);
    OpBuilder b(module.getContext());
    auto i32 = b.getI32Type();
    func::FuncOp threadNum = declareRuntimeFunction(module, symbols, "omp_get_thread_num", i32);
    func::FuncOp count = declareRuntimeFunction(module, symbols, "omp_get_num_threads", i32);
    auto speedsType = MemRefType::get({numThreads}, b.getF64Type());
    auto ones = DenseElementsAttr::get(
        RankedTensorType::get({numThreads}, b.getF64Type()), b.getF64FloatAttr(1.0));
    for (scf::ParallelOp loop : loops) {
      b.setInsertionPointToStart(module.getBody());
      auto global = memref::GlobalOp::create(
          b, loop.getLoc(), b.getStringAttr(freeSymbol(symbols, "__openopt_thread_speeds")),
          b.getStringAttr("private"), TypeAttr::get(speedsType), ones, UnitAttr(),
          b.getI64IntegerAttr(64));
      symbols.insert(global);
      balance(loop, numThreads, global, threadNum, count);
    }
  }
};

} // namespace
} // namespace openopt
