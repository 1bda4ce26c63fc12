//===- PackedMatmul.cpp - matmuls whose constant B is stored in panels ----===//
#include "PackedMatmul.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"

namespace openopt {

std::optional<RegisterTile> registerTile(int64_t m, int64_t n, int64_t vectorBits) {
  int64_t lanes = vectorBits / 32;
  // (rows, vectors) in order of preference. Each step of K loads `vectors`
  // pieces of B and broadcasts `rows` values of A for rows x vectors
  // multiply-adds. On an Intel AVX-512 core the loads bound the 8 x 2 tile
  // (10 loads a 16 multiply-adds): in a C loop over L1-resident panels it
  // ran 204 GFLOP/s, 8 x 3 (11 loads a 24) 221, the FMA peak 239. In the
  // schedule, 8 x 3 took bert's 128x768x3072 matmul 3.30 -> 3.14 ms; 6 x 4
  // and 4 x 4 (64 wide) ran no faster than 8 x 2 (192x768x3072 4.98 ms
  // against 4.94) or slower (1024^3 12.50 against 12.11). Eight accumulators
  // only just cover the FMA latency; 6 rows of 2 vectors (12) were no
  // better than 4 (8) and leave the 8-row thread slices of a packed matmul.
  static constexpr std::pair<int64_t, int64_t> kAvx512[] = {
      {8, 3}, {8, 2}, {6, 3}, {4, 3}, {4, 2}, {2, 3}, {2, 2}, {8, 1}, {4, 1}, {2, 1}};
  // AVX2's 16 ymm: 12 accumulators, two for the B row, two for broadcasts.
  // The 4 x 2 tile's 8 accumulators ran 13% slower on resnet's 192-filter
  // stride-2 layer than 6 x 2.
  static constexpr std::pair<int64_t, int64_t> kAvx2[] = {
      {6, 2}, {4, 2}, {2, 2}, {8, 1}, {6, 1}, {4, 1}, {2, 1}};
  llvm::ArrayRef<std::pair<int64_t, int64_t>> order =
      vectorBits == 512 ? llvm::ArrayRef(kAvx512) : llvm::ArrayRef(kAvx2);
  for (auto [rows, vectors] : order)
    if (m % rows == 0 && n % (vectors * lanes) == 0)
      return RegisterTile{rows, vectors * lanes};
  return std::nullopt;
}

int64_t registerTileWidth(int64_t m, int64_t n, int64_t vectorBits) {
  int64_t lanes = vectorBits / 32;
  // A single row spreads its accumulators along N inside the panel.
  if (m % 2 != 0)
    return n % (2 * lanes) == 0 ? 2 * lanes : (n % lanes == 0 ? lanes : 0);
  std::optional<RegisterTile> tile = registerTile(m, n, vectorBits);
  return tile ? tile->width : 0;
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
