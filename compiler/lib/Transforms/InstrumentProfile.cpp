//===- InstrumentProfile.cpp - the openopt-instrument-profile pass --------===//
#include "openopt/Transforms/Passes.h"

#include "openopt/Dialect/NN/CostModel.h"
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Record/GraphJson.h"
#include "openopt/Support/EntryFunction.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace openopt {
#define GEN_PASS_DEF_INSTRUMENTPROFILEPASS
#include "openopt/Transforms/Passes.h.inc"

namespace {

void collectNames(Location loc, SmallVectorImpl<Attribute> &names) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    names.push_back(name.getName());
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      collectNames(inner, names);
  }
}

/// Ops that get a bracket: nn ops doing work, groups as a whole.
bool isTimed(Operation &op) {
  return isa<nn::NNDialect>(op.getDialect()) && !op.hasTrait<OpTrait::ConstantLike>();
}

struct InstrumentProfilePass : impl::InstrumentProfilePassBase<InstrumentProfilePass> {
  using InstrumentProfilePassBase::InstrumentProfilePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp func = entry.empty() ? findEntryFunction(module)
                                      : module.lookupSymbol<func::FuncOp>(entry);
    if (!func || func.isExternal()) {
      module.emitError("openopt-instrument-profile: ")
          << (entry.empty() ? std::string("the module has no public function with a body")
                            : "no function @" + entry + " with a body");
      return signalPassFailure();
    }
    if (module->hasAttr(kProfileOpsAttr)) {
      module.emitError("openopt-instrument-profile: the module is already instrumented (it "
                       "has '")
          << kProfileOpsAttr << "')";
      return signalPassFailure();
    }
    if (!func.getBody().hasOneBlock()) {
      func.emitError("openopt-instrument-profile: @")
          << func.getSymName() << " has several blocks; only a single-block body is profiled";
      return signalPassFailure();
    }
    FailureOr<func::FuncOp> enter = declareHook(module, kProfileEnterHook);
    FailureOr<func::FuncOp> exit = declareHook(module, kProfileExitHook);
    if (failed(enter) || failed(exit))
      return signalPassFailure();

    llvm::DenseMap<Operation *, std::string> ids = graphNodeIds(func);
    MLIRContext *ctx = &getContext();
    Builder attrs(ctx);
    SmallVector<Attribute> table;
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
      if (!isTimed(op))
        continue;
      int64_t index = table.size();
      OpBuilder builder(&op);
      Location loc = op.getLoc();
      Value id = arith::ConstantIntOp::create(builder, loc, index, 64);
      func::CallOp::create(builder, loc, *enter, id);
      builder.setInsertionPointAfter(&op);
      func::CallOp::create(builder, loc, *exit, id);

      SmallVector<NamedAttribute> row{
          attrs.getNamedAttr("index", attrs.getI64IntegerAttr(index)),
          attrs.getNamedAttr("id", attrs.getStringAttr(ids.lookup(&op))),
          attrs.getNamedAttr("op", attrs.getStringAttr(op.getName().getStringRef()))};
      if (auto group = dyn_cast<nn::FusedOp>(op))
        row.push_back(attrs.getNamedAttr("kind", group.getKindAttr()));
      SmallVector<Attribute> names;
      collectNames(loc, names);
      row.push_back(attrs.getNamedAttr("names", attrs.getArrayAttr(names)));
      nn::OpCost cost = nn::estimateCost(&op);
      if (cost.flops)
        row.push_back(attrs.getNamedAttr("flops", attrs.getI64IntegerAttr(*cost.flops)));
      if (cost.bytes)
        row.push_back(attrs.getNamedAttr("bytes", attrs.getI64IntegerAttr(*cost.bytes)));
      table.push_back(attrs.getDictionaryAttr(row));
    }
    module->setAttr(kProfileOpsAttr, attrs.getArrayAttr(table));
  }

  /// The hook `name`, declared `func.func private @name(i64)` unless the
  /// module already has it with that type.
  FailureOr<func::FuncOp> declareHook(ModuleOp module, StringRef name) {
    auto type = FunctionType::get(&getContext(), {IntegerType::get(&getContext(), 64)}, {});
    if (Operation *existing = module.lookupSymbol(name)) {
      auto func = dyn_cast<func::FuncOp>(existing);
      if (!func || func.getFunctionType() != type || !func.isExternal()) {
        existing->emitError("openopt-instrument-profile: @")
            << name << " is taken; the profiling hook must be an external (i64) -> () function";
        return failure();
      }
      return func;
    }
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto func = func::FuncOp::create(builder, module.getLoc(), name, type);
    func.setPrivate();
    return func;
  }
};

} // namespace
} // namespace openopt
