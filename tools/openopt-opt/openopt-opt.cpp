//===- openopt-opt.cpp - mlir-opt with the OpenOptimizer dialects/passes ---===//
//
// The driver lit tests use: every upstream dialect and pass, plus ours.
//
//===----------------------------------------------------------------------===//
#include "openopt/InitOpenOpt.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  openopt::registerAllDialectsAndPasses(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "OpenOptimizer optimizer driver\n", registry));
}
