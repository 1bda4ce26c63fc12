//===- FoldConstantLayout.cpp - the openopt-fold-constant-layout pass -----===//
//
// Rewrites linalg.transpose and constant tensor.pad of constants into new
// constants by moving the raw bytes once at compile time. Works on dense and
// dense_resource values of any element size (not on i1, which is bit-packed).
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "openopt/Dialect/NN/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

using namespace mlir;

namespace openopt {
#define GEN_PASS_DEF_FOLDCONSTANTLAYOUTPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {

using nn::makeConstant;
using nn::rawBytes;

int64_t elementBytes(Type t) { return (t.getIntOrFloatBitWidth() + 7) / 8; }

StringRef nameHint(ElementsAttr attr) { return nn::constantNameHint(attr); }

// Calls fn(flat, index) for every element of `shape` in row-major order.
void forEachIndex(ArrayRef<int64_t> shape,
                  llvm::function_ref<void(int64_t, ArrayRef<int64_t>)> fn) {
  SmallVector<int64_t> index(shape.size(), 0);
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  for (int64_t flat = 0; flat < count; ++flat) {
    fn(flat, index);
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

struct FoldTranspose : OpRewritePattern<linalg::TransposeOp> {
  FoldTranspose(MLIRContext *ctx, int64_t maxBytes)
      : OpRewritePattern(ctx), maxBytes(maxBytes) {}
  LogicalResult matchAndRewrite(linalg::TransposeOp op, PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    ElementsAttr value;
    if (!matchPattern(op.getInput(), m_Constant(&value)))
      return failure();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && dense.isSplat()) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, dense.resizeSplat(outType));
      return success();
    }
    auto bytes = rawBytes(value);
    int64_t es = elementBytes(inType.getElementType());
    if (!bytes || (int64_t)bytes->size() != inType.getNumElements() * es ||
        (int64_t)bytes->size() > maxBytes)
      return failure();
    ArrayRef<int64_t> perm = op.getPermutation();
    SmallVector<int64_t> inStrides = stridesOf(inType.getShape());
    std::vector<char> out(bytes->size());
    forEachIndex(outType.getShape(), [&](int64_t flat, ArrayRef<int64_t> index) {
      int64_t src = 0;
      for (size_t d = 0; d < index.size(); ++d)
        src += index[d] * inStrides[perm[d]];
      std::memcpy(out.data() + flat * es, bytes->data() + src * es, es);
    });
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(makeConstant(outType, std::move(out), nameHint(value))));
    return success();
  }
  int64_t maxBytes;
};

struct FoldPad : OpRewritePattern<tensor::PadOp> {
  FoldPad(MLIRContext *ctx, int64_t maxBytes) : OpRewritePattern(ctx), maxBytes(maxBytes) {}
  LogicalResult matchAndRewrite(tensor::PadOp op, PatternRewriter &rewriter) const override {
    ElementsAttr value;
    Attribute padValue;
    Value padScalar = op.getConstantPaddingValue();
    if (!padScalar || !matchPattern(op.getSource(), m_Constant(&value)) ||
        !matchPattern(padScalar, m_Constant(&padValue)) || !op.getResultType().hasStaticShape() ||
        !op.getStaticLow().size() || ShapedType::isDynamicShape(op.getStaticLow()) ||
        ShapedType::isDynamicShape(op.getStaticHigh()))
      return failure();
    auto inType = cast<RankedTensorType>(op.getSource().getType());
    RankedTensorType outType = op.getResultType();
    Type element = inType.getElementType();
    auto bytes = rawBytes(value);
    int64_t es = elementBytes(element);
    if (!bytes || (int64_t)bytes->size() != inType.getNumElements() * es ||
        outType.getNumElements() * es > maxBytes)
      return failure();
    // The fill value's bytes, via a one-element dense attribute.
    auto fill = DenseElementsAttr::get(RankedTensorType::get({1}, element), padValue);
    ArrayRef<char> fillBytes = fill.getRawData();
    std::vector<char> out(outType.getNumElements() * es);
    for (int64_t i = 0, n = outType.getNumElements(); i < n; ++i)
      std::memcpy(out.data() + i * es, fillBytes.data(), es);
    SmallVector<int64_t> outStrides = stridesOf(outType.getShape());
    ArrayRef<int64_t> low = op.getStaticLow();
    forEachIndex(inType.getShape(), [&](int64_t flat, ArrayRef<int64_t> index) {
      int64_t dst = 0;
      for (size_t d = 0; d < index.size(); ++d)
        dst += (index[d] + low[d]) * outStrides[d];
      std::memcpy(out.data() + dst * es, bytes->data() + flat * es, es);
    });
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(makeConstant(outType, std::move(out), nameHint(value))));
    return success();
  }
  int64_t maxBytes;
};

// Reshapes keep the bytes: only the type of the constant changes.
template <typename ReshapeOp>
struct FoldReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern<ReshapeOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    ElementsAttr value;
    if (!matchPattern(op.getSrc(), m_Constant(&value)))
      return failure();
    auto outType = cast<RankedTensorType>(op.getResult().getType());
    if (!outType.hasStaticShape())
      return failure();
    if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, dense.reshape(outType));
      return success();
    }
    auto resource = dyn_cast<DenseResourceElementsAttr>(value);
    if (!resource)
      return failure();
    // Same blob, new type: no bytes are copied.
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, DenseResourceElementsAttr::get(outType, resource.getRawHandle()));
    return success();
  }
};

struct FoldConstantLayoutPass : impl::FoldConstantLayoutPassBase<FoldConstantLayoutPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTranspose, FoldPad>(&getContext(), maxBytes);
    patterns.add<FoldReshape<tensor::CollapseShapeOp>, FoldReshape<tensor::ExpandShapeOp>>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace openopt
