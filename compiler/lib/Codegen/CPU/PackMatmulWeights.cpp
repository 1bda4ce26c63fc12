//===- PackMatmulWeights.cpp - the openopt-pack-matmul-weights pass -------===//
//
// Rewrites matmuls whose B is a constant into the packed form of
// PackedMatmul.h, packing the weight's bytes once at compile time.
//
//===----------------------------------------------------------------------===//
#include "PackedMatmul.h"
#include "openopt/Codegen/CPU/Passes.h"

#include "openopt/Dialect/NN/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

using namespace mlir;

namespace openopt {
#define GEN_PASS_DEF_PACKMATMULWEIGHTSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {

// B [K, N] as [N/P, K, P]: panel j holds columns j*P .. j*P+P-1, row by row.
std::optional<ElementsAttr> packPanels(ElementsAttr weight, int64_t k, int64_t n, int64_t p) {
  auto type = RankedTensorType::get({n / p, k, p}, weight.getElementType());
  if (auto dense = dyn_cast<DenseElementsAttr>(weight); dense && dense.isSplat())
    return cast<ElementsAttr>(dense.resizeSplat(type));
  auto bytes = nn::rawBytes(weight);
  constexpr int64_t es = sizeof(float);
  if (!bytes || (int64_t)bytes->size() != k * n * es)
    return std::nullopt;
  const char *source = bytes->data();
  return nn::makeConstantWith(type, bytes->size(), nn::constantNameHint(weight),
                              [&](MutableArrayRef<char> out) {
                                char *dst = out.data();
                                for (int64_t j = 0; j < n / p; ++j)
                                  for (int64_t row = 0; row < k; ++row, dst += p * es)
                                    std::memcpy(dst, source + (row * n + j * p) * es, p * es);
                              });
}

struct PackConstantB : OpRewritePattern<linalg::MatmulOp> {
  PackConstantB(MLIRContext *ctx, int64_t vectorBits, int64_t maxBytes, int64_t threads)
      : OpRewritePattern(ctx), vectorBits(vectorBits), maxBytes(maxBytes), threads(threads) {}

  // The panel width P when `op` is a matmul to pack, else nullopt: a static
  // f32 matmul whose B is a constant. A single panel (N == P) is already its
  // own layout; odd row counts get a register tile that spans several panels
  // (openopt-vectorize-matmul). A single row (a GEMV) is packed: its weight
  // streams from memory, and a row-major B's tile is a short run every N
  // floats, which the prefetchers follow badly across pages (mlp_b1 0.314
  // -> 0.250 ms at 1 thread on an Intel host). On several threads the schedule splits
  // a packed matmul into whole panels or groups of 8 rows; a matmul that
  // allows neither stays as it is, split along N the old way.
  std::optional<int64_t> panelWidth(linalg::MatmulOp op) const {
    if (!op.hasPureTensorSemantics() ||
        op.getIndexingMapsArray() != linalg::MatmulOp::getDefaultIndexingMaps(getContext()) ||
        !matchPattern(op.getInputs()[1], m_Constant()))
      return std::nullopt;
    auto aType = cast<RankedTensorType>(op.getInputs()[0].getType());
    auto bType = cast<RankedTensorType>(op.getInputs()[1].getType());
    auto cType = cast<RankedTensorType>(op.getOutputs()[0].getType());
    auto isF32 = [](RankedTensorType t) { return t.hasStaticShape() && t.getElementType().isF32(); };
    if (!isF32(aType) || !isF32(bType) || !isF32(cType))
      return std::nullopt;
    int64_t m = aType.getDimSize(0), k = aType.getDimSize(1), n = bType.getDimSize(1);
    int64_t p = registerTileWidth(m, n, vectorBits);
    if ((m != 1 && m % 2 != 0) || p == 0 || n == p || k * n * 4 > maxBytes)
      return std::nullopt;
    if (threads > 1 && !packedThreadSlice(m, n, p, threads))
      return std::nullopt;
    return p;
  }

  // One packed copy per weight: a weight shared by several matmuls (a
  // model whose layers are tied) is packed once, as it was stored once.
  std::optional<ElementsAttr> packedOf(ElementsAttr weight, int64_t k, int64_t n,
                                       int64_t p) const {
    auto key = std::make_pair(Attribute(weight), p);
    if (auto it = packed.find(key); it != packed.end())
      return it->second;
    std::optional<ElementsAttr> result = packPanels(weight, k, n, p);
    if (result)
      packed[key] = *result;
    return result;
  }

  LogicalResult matchAndRewrite(linalg::MatmulOp op, PatternRewriter &rewriter) const override {
    std::optional<int64_t> width = panelWidth(op);
    if (!width)
      return failure();
    int64_t p = *width;
    // A weight that something else reads unpacked would be stored twice:
    // packed only when every use is a matmul's B packed the same way.
    Value b = op.getInputs()[1];
    for (OpOperand &use : b.getUses()) {
      auto user = dyn_cast<linalg::MatmulOp>(use.getOwner());
      if (!user || use.getOperandNumber() != 1 || panelWidth(user) != p)
        return failure();
    }
    ElementsAttr weight;
    matchPattern(b, m_Constant(&weight));
    auto cType = cast<RankedTensorType>(op.getOutputs()[0].getType());
    int64_t m = cType.getDimSize(0), n = cType.getDimSize(1);
    int64_t k = cast<RankedTensorType>(b.getType()).getDimSize(0);
    Type f32 = rewriter.getF32Type();
    std::optional<ElementsAttr> panelsAttr = packedOf(weight, k, n, p);
    if (!panelsAttr)
      return failure();
    Location loc = op.getLoc();
    Value panels = arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(*panelsAttr));
    SmallVector<ReassociationIndices> split = {{0}, {1, 2}};
    auto outType = RankedTensorType::get({m, n / p, p}, f32);
    Value init = tensor::ExpandShapeOp::create(rewriter, loc, outType, op.getOutputs()[0], split);
    SmallVector<AffineMap> maps = packedMatmulMaps(getContext());
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {IteratorType::parallel, IteratorType::parallel,
                                           IteratorType::parallel, IteratorType::reduction};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{op.getInputs()[0], panels},
        ValueRange{init}, maps, iterators, [](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l, ValueRange{arith::AddFOp::create(b, l, args[2], product)});
        });
    for (NamedAttribute attr : op->getDiscardableAttrs())
      generic->setAttr(attr.getName(), attr.getValue());
    generic->setAttr(kPackedMatmulAttr, rewriter.getUnitAttr());
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, cType, generic.getResult(0), split);
    return success();
  }
  int64_t vectorBits, maxBytes, threads;
  mutable llvm::DenseMap<std::pair<Attribute, int64_t>, ElementsAttr> packed;
};

struct PackMatmulWeightsPass : impl::PackMatmulWeightsPassBase<PackMatmulWeightsPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PackConstantB>(&getContext(), resolveVectorBits(vectorBits), maxBytes, threads);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace openopt
