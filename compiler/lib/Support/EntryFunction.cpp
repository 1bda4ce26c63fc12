//===- EntryFunction.cpp - the function a model runs ----------------------===//
#include "openopt/Support/EntryFunction.h"

namespace openopt {

mlir::func::FuncOp findEntryFunction(mlir::ModuleOp module) {
  mlir::func::FuncOp first;
  for (auto func : module.getOps<mlir::func::FuncOp>()) {
    if (func.isExternal() || func.isPrivate())
      continue;
    if (func.getSymName() == "main")
      return func;
    if (!first)
      first = func;
  }
  return first;
}

} // namespace openopt
