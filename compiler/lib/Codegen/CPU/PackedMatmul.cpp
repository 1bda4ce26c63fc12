//===- PackedMatmul.cpp - matmuls whose constant B is stored in panels ----===//
#include "PackedMatmul.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"

namespace openopt {

int64_t registerTileWidth(int64_t n, int64_t vectorBits) {
  int64_t lanes = vectorBits / 32;
  if (n % (2 * lanes) == 0)
    return 2 * lanes;
  return n % lanes == 0 ? lanes : 0;
}

llvm::SmallVector<mlir::AffineMap> packedMatmulMaps(mlir::MLIRContext *ctx) {
  auto d = [&](unsigned i) { return mlir::getAffineDimExpr(i, ctx); };
  return {mlir::AffineMap::get(4, 0, {d(0), d(3)}, ctx),
          mlir::AffineMap::get(4, 0, {d(1), d(3), d(2)}, ctx),
          mlir::AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)};
}

std::optional<std::pair<int64_t, int64_t>> packedThreadSlice(int64_t m, int64_t n, int64_t p,
                                                             int64_t threads) {
  if (m % (threads * 8) == 0)
    return std::make_pair(m / threads, n);
  if ((n / p) % threads == 0)
    return std::make_pair(m, n / threads);
  // Neither divides (MobileNetV2's 7x7 projections: 56 rows, 5 panels):
  // units of 8 rows by one panel, at least two per thread, so the threads'
  // shares differ by at most one unit (18 and 17 of 35). The whole matmul
  // on one thread, or split along N into 80s (an 8x16 register tile, half
  // the accumulators), ran no faster on two threads than on one.
  if (m % 8 == 0 && (m / 8) * (n / p) >= 2 * threads)
    return std::make_pair(int64_t(8), p);
  return std::nullopt;
}

bool isPackedMatmul(mlir::Operation *op) {
  auto generic = mlir::dyn_cast<mlir::linalg::GenericOp>(op);
  if (!generic || !op->hasAttr(kPackedMatmulAttr) || generic.getNumDpsInputs() != 2 ||
      generic.getNumDpsInits() != 1 || generic.getNumLoops() != 4)
    return false;
  if (generic.getIndexingMapsArray() != packedMatmulMaps(op->getContext()))
    return false;
  auto iterators = generic.getIteratorTypesArray();
  using mlir::utils::IteratorType;
  if (iterators != llvm::ArrayRef<IteratorType>{IteratorType::parallel, IteratorType::parallel,
                                                 IteratorType::parallel, IteratorType::reduction})
    return false;
  return llvm::all_of(op->getOperandTypes(), [](mlir::Type t) {
    return mlir::cast<mlir::ShapedType>(t).hasStaticShape();
  });
}

} // namespace openopt
