//===- LowerRuntimeChecks.cpp - the openopt-lower-runtime-checks pass -----===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace openopt {
#define GEN_PASS_DEF_LOWERRUNTIMECHECKSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
using namespace mlir;

struct LowerRuntimeChecksPass : impl::LowerRuntimeChecksPassBase<LowerRuntimeChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    if (asserts.empty())
      return;
    OpBuilder b(module.getContext());
    auto ptr = LLVM::LLVMPointerType::get(module.getContext());
    auto fail = LLVM::lookupOrCreateFn(b, module, kRuntimeFailHook, {ptr},
                                       LLVM::LLVMVoidType::get(module.getContext()));
    if (failed(fail)) {
      module.emitError("cannot declare ") << kRuntimeFailHook;
      return signalPassFailure();
    }
    llvm::StringMap<std::string> globals; // one string global per message
    for (auto [i, op] : llvm::enumerate(asserts)) {
      Block *before = op->getBlock();
      Block *after = before->splitBlock(op->getIterator());
      Block *failed = b.createBlock(after);
      b.setInsertionPointToEnd(failed);
      std::string name = globals.lookup(op.getMsg());
      if (name.empty()) {
        name = "openopt_check_message_" + std::to_string(globals.size());
        globals[op.getMsg()] = name;
      }
      // The global is created once; later messages reuse its address.
      Value message;
      if (module.lookupSymbol(name)) {
        auto global = cast<LLVM::GlobalOp>(module.lookupSymbol(name));
        Value base = LLVM::AddressOfOp::create(b, op.getLoc(), global);
        message = base;
      } else {
        message = LLVM::createGlobalString(op.getLoc(), b, name,
                                           (op.getMsg() + llvm::StringRef("\0", 1)).str(),
                                           LLVM::Linkage::Internal);
      }
      LLVM::CallOp::create(b, op.getLoc(), *fail, ValueRange{message});
      LLVM::UnreachableOp::create(b, op.getLoc());
      b.setInsertionPointToEnd(before);
      cf::CondBranchOp::create(b, op.getLoc(), op.getArg(), after, failed);
      op.erase();
    }
  }
};
} // namespace
} // namespace openopt
