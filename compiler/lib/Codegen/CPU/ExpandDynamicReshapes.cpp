//===- ExpandDynamicReshapes.cpp - the openopt-expand-dynamic-reshapes pass ===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace openopt {
#define GEN_PASS_DEF_EXPANDDYNAMICRESHAPESPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
using namespace mlir;

bool needsRewrite(memref::ExpandShapeOp op) {
  auto type = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t d) { return type.isDynamicDim(d); }) > 1)
      return true;
  return false;
}

struct ExpandDynamicReshapesPass
    : impl::ExpandDynamicReshapesPassBase<ExpandDynamicReshapesPass> {
  void runOnOperation() override {
    SmallVector<memref::ExpandShapeOp> ops;
    getOperation().walk([&](memref::ExpandShapeOp op) {
      if (needsRewrite(op))
        ops.push_back(op);
    });
    for (memref::ExpandShapeOp op : ops) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      auto meta = memref::ExtractStridedMetadataOp::create(b, loc, op.getSrc());
      SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
      SmallVector<OpFoldResult> strides(sizes.size());
      for (auto [srcDim, group] : llvm::enumerate(op.getReassociationIndices())) {
        Value stride = meta.getStrides()[srcDim];
        for (int64_t d : llvm::reverse(group)) {
          strides[d] = stride;
          stride = b.createOrFold<arith::MulIOp>(loc, stride,
                                                 getValueOrCreateConstantIndexOp(b, loc, sizes[d]));
        }
      }
      // Fully dynamic layout first; the cast back to the op's type only
      // restates what the strides already are.
      MemRefType type = op.getResultType();
      SmallVector<int64_t> dynamic(type.getRank(), ShapedType::kDynamic);
      auto strided = MemRefType::get(
          type.getShape(), type.getElementType(),
          StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, dynamic),
          type.getMemorySpace());
      Value view = memref::ReinterpretCastOp::create(b, loc, strided, meta.getBaseBuffer(),
                                                     meta.getOffset(), sizes, strides);
      op.getResult().replaceAllUsesWith(memref::CastOp::create(b, loc, type, view).getResult());
      op.erase();
    }
  }
};
} // namespace
} // namespace openopt
