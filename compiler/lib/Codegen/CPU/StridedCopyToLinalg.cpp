//===- StridedCopyToLinalg.cpp - the openopt-strided-copy-to-linalg pass --===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace openopt {
#define GEN_PASS_DEF_STRIDEDCOPYTOLINALGPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
bool isContiguous(mlir::Type type) {
  auto memref = mlir::cast<mlir::MemRefType>(type);
  return memref.getLayout().isIdentity();
}

struct StridedCopyToLinalgPass : impl::StridedCopyToLinalgPassBase<StridedCopyToLinalgPass> {
  void runOnOperation() override {
    llvm::SmallVector<mlir::memref::CopyOp> copies;
    getOperation().walk([&](mlir::memref::CopyOp copy) {
      if (!isContiguous(copy.getSource().getType()) || !isContiguous(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    for (mlir::memref::CopyOp copy : copies) {
      mlir::OpBuilder b(copy);
      mlir::linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    }
  }
};
} // namespace
} // namespace openopt
