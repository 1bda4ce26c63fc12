//===- OutlineKernels.cpp - the openopt-outline-kernels pass --------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/xxhash.h"

namespace openopt {
#define GEN_PASS_DEF_OUTLINEKERNELSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
using namespace mlir;

bool isKernelRoot(Operation &op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureBufferSemantics())
    return false;
  // A body that refers to other symbols (a call of a helper the
  // deallocation pipeline made, a global) would not compile on its own.
  auto uses = SymbolTable::getSymbolUses(&op);
  return uses && uses->empty();
}

/// The function's name is its content's hash: printed under a fixed name,
/// without locations, so that where the op came from does not matter.
std::string kernelName(func::FuncOp kernel) {
  std::string text;
  llvm::raw_string_ostream os(text);
  kernel.setSymName("kernel");
  kernel->print(os, OpPrintingFlags().printGenericOpForm().useLocalScope());
  std::string name;
  llvm::raw_string_ostream nameOs(name);
  nameOs << "openopt_kernel_" << llvm::format_hex_no_prefix(llvm::xxh3_64bits(text), 16);
  return name;
}

struct OutlineKernelsPass : impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<Operation *> roots;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || func->hasAttr(kKernelAttr))
        continue;
      // Nested ops too (the bodies of loops and parallel loops); a linalg
      // op's own region holds no linalg ops.
      func.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (!isKernelRoot(*op))
          return WalkResult::advance();
        roots.push_back(op);
        return WalkResult::skip();
      });
    }
    for (Operation *root : roots)
      outline(root, module, symbols);
  }

  void outline(Operation *root, ModuleOp module, SymbolTable &symbols) {
    MLIRContext *ctx = root->getContext();
    // Values the op's body takes from outside: constants are copied into
    // the kernel, anything else becomes an argument after the operands.
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(root->getRegions(), captured);
    SmallVector<Value> arguments(root->getOperands());
    SmallVector<Operation *> constants;
    for (Value value : captured) {
      Operation *def = value.getDefiningOp();
      if (def && def->getNumResults() == 1 && matchPattern(def, m_Constant()))
        constants.push_back(def);
      else
        arguments.push_back(value);
    }

    OpBuilder builder(ctx);
    auto type = builder.getFunctionType(ValueRange(arguments).getTypes(), {});
    auto kernel = func::FuncOp::create(builder, root->getLoc(), "kernel", type);
    Block *body = kernel.addEntryBlock();
    IRMapping mapping;
    mapping.map(arguments, body->getArguments());
    builder.setInsertionPointToStart(body);
    for (Operation *constant : constants)
      builder.clone(*constant, mapping);
    builder.clone(*root, mapping);
    func::ReturnOp::create(builder, root->getLoc());
    kernel.setPrivate();
    kernel->setAttr(kKernelAttr, UnitAttr::get(ctx));
    if (root->getParentOfType<scf::ForallOp>())
      kernel->setAttr(kSerialKernelAttr, UnitAttr::get(ctx));

    std::string name = kernelName(kernel);
    kernel.setSymName(name);
    if (symbols.lookup(name))
      kernel.erase(); // the same kernel is already there
    else
      symbols.insert(kernel);

    OpBuilder callBuilder(root);
    func::CallOp::create(callBuilder, root->getLoc(), name, TypeRange(), arguments);
    root->erase();
    // Constants only the kernel used go with it: what stays behind (the
    // caller's code) should not change when only a kernel's body does.
    for (Operation *constant : constants)
      if (constant->use_empty())
        constant->erase();
  }
};
} // namespace
} // namespace openopt
