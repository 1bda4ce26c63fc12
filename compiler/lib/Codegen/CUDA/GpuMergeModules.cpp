//===- GpuMergeModules.cpp - the openopt-gpu-merge-modules pass -----------===//
#include "openopt/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace openopt {
#define GEN_PASS_DEF_GPUMERGEMODULESPASS
#include "openopt/Codegen/CUDA/Passes.h.inc"

namespace {
using namespace mlir;

struct GpuMergeModulesPass : impl::GpuMergeModulesPassBase<GpuMergeModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto modules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() < 2)
      return;
    gpu::GPUModuleOp merged = modules.front();
    // Old (module, kernel) -> new kernel name in `merged`.
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    SymbolTable mergedSymbols(merged);
    for (gpu::GPUModuleOp from : llvm::drop_begin(modules)) {
      // A module for other targets stays apart.
      if (from.getTargetsAttr() != merged.getTargetsAttr())
        continue;
      for (Operation &op : llvm::make_early_inc_range(from.getBody()->without_terminator())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol) {
          from.emitError("openopt-gpu-merge-modules: a non-symbol op in a kernel module");
          return signalPassFailure();
        }
        StringAttr oldName = symbol.getNameAttr();
        op.moveBefore(merged.getBody()->getTerminator());
        // insert() renames on a clash (the kernels are all "main_kernel").
        StringAttr newName = mergedSymbols.insert(&op);
        renamed[{from.getNameAttr(), oldName}] = newName;
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      auto it = renamed.find({kernel.getRootReference(), kernel.getLeafReference()});
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(merged.getNameAttr(),
                                              {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUModuleOp from : llvm::drop_begin(modules))
      if (from.getBody()->without_terminator().empty())
        from.erase();
  }
};
} // namespace
} // namespace openopt
