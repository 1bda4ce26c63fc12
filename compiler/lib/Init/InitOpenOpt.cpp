//===- InitOpenOpt.cpp - the one TU that pulls in InitAll* ----------------===//
//
// The InitAll* headers are heavy to compile; keeping them in this file alone
// keeps every other TU light.
//
//===----------------------------------------------------------------------===//
#include "openopt/InitOpenOpt.h"

#include "openopt/Codegen/CPU/Passes.h"
#include "openopt/Codegen/CUDA/Passes.h"
#include "openopt/Conversion/Passes.h"
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

namespace openopt {
void registerAllDialectsAndPasses(mlir::DialectRegistry &registry) {
  registry.insert<nn::NNDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  static bool passesRegistered = [] {
    mlir::registerAllPasses();
    registerOpenOptConversionPasses();
    registerOpenOptCpuPasses();
    registerOpenOptCudaPasses();
    registerOpenOptTransformsPasses();
    return true;
  }();
  (void)passesRegistered;
}
} // namespace openopt
