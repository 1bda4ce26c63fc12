//===- PackedMatmul.h - matmuls whose constant B is stored in panels ------===//
//
// A matmul's register tile reads an 8-, 16- or 32-wide piece of each row of
// B. When B is a weight of a few MB it comes from memory, one short piece per
// row (row stride N), which the hardware prefetchers follow badly. Packed, the
// weight is [N/P, K, P] for the tile's width P: each tile reads one
// sequential stream. openopt-pack-matmul-weights rewrites such a matmul as
//
//   C[M, N/P, P] += A[M, K] * Bp[N/P, K, P]    (loops m, j, n, k)
//
// a linalg.generic marked `openopt.packed_b` whose output is the matmul's
// output viewed as [M, N/P, P]; openopt-vectorize-matmul schedules it with
// the matmul's tiles, the register tile one panel wide and the panels' loop
// outside the rows'.
//
//===----------------------------------------------------------------------===//
#ifndef OPENOPT_CODEGEN_CPU_PACKEDMATMUL_H
#define OPENOPT_CODEGEN_CPU_PACKEDMATMUL_H

#include "openopt/Support/VectorBits.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Operation.h"

#include <optional>
#include <utility>

#include <cstdint>

namespace openopt {

inline constexpr llvm::StringLiteral kPackedMatmulAttr = "openopt.packed_b";


/// A matmul's register tile: `rows` rows of A by `width` columns of B
/// (whole vectors), rows x width / lanes accumulators.
struct RegisterTile {
  int64_t rows, width;
};

/// The register tile for an M x N matmul (M even) on `vectorBits`-wide
/// vectors, or nullopt when N is no multiple of a vector. On AVX-512 up to
/// 24 accumulators, as few loads per multiply-add as the shape allows; on
/// AVX2 the 6 x 16 tile (12 of its 16 registers).
std::optional<RegisterTile> registerTile(int64_t m, int64_t n, int64_t vectorBits);

/// The register tile's width along N for an M x N matmul (the panel width
/// of a packed B), 0 when no vector tile fits.
int64_t registerTileWidth(int64_t m, int64_t n, int64_t vectorBits);

/// The indexing maps of the packed form, loops (m, j, n, k): A[m, k],
/// Bp[j, k, n], C[m, j, n].
llvm::SmallVector<mlir::AffineMap> packedMatmulMaps(mlir::MLIRContext *ctx);

/// Whether `op` is a packed matmul generic (the form above, on tensors or
/// buffers, static shapes).
bool isPackedMatmul(mlir::Operation *op);

/// The rows and columns of the units `threads` threads share of an M x N
/// packed matmul with panels P wide: M / threads rows (groups of 8) where M
/// allows, else N / threads (whole panels), else units of 8 rows by one
/// panel when there are at least two per thread; nullopt otherwise (the
/// pack pass then leaves the matmul unpacked).
std::optional<std::pair<int64_t, int64_t>> packedThreadSlice(int64_t m, int64_t n, int64_t p,
                                                             int64_t threads);

} // namespace openopt

#endif
