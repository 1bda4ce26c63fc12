//===- GpuMmaMatmuls.cpp - the openopt-gpu-mma-matmuls pass ---------------===//
//
// f32 matmuls on tensor cores, one warp per 16x8 tile of the result. The
// fragments of mma.sync.m16n8k4 with .tf32 operands (PTX ISA, "Matrix
// fragments for mma.m16n8k4"), for lane l, group g = l / 4, t = l % 4:
//   A (16x4): a0 = A[g][t], a1 = A[g + 8][t]
//   B (4x8):  b0 = B[t][g]
//   C (16x8): c0, c1 = C[g][2t], C[g][2t + 1]; c2, c3 = C[g + 8][2t], ...
// (MLIR's nvgpu.mma.sync takes them as vector<2x1>, vector<1x1> and
// vector<2x2>, row by row.)
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CUDA/Passes.h"

#include "KernelNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

namespace openopt {
#define GEN_PASS_DEF_GPUMMAMATMULSPASS
#include "openopt/Codegen/CUDA/Passes.h.inc"

namespace {
using namespace mlir;

constexpr int64_t kTileM = 16, kTileN = 8, kTileK = 4, kWarp = 32;
// The shared-memory tiles of rewriteTiled.
constexpr int64_t kBlockM = 64, kBlockN = 32, kBlockK = 16;

bool insideKernel(Operation *op) { return op->getParentOfType<gpu::LaunchOp>() != nullptr; }

/// A plain (no user maps, no transposes) f32 matmul or batch matmul on
/// memrefs.
bool eligible(linalg::LinalgOp op) {
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) || !op.hasPureBufferSemantics() ||
      insideKernel(op))
    return false;
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
      matmul && matmul.hasUserDefinedMaps())
    return false;
  if (auto batch = dyn_cast<linalg::BatchMatmulOp>(op.getOperation());
      batch && batch.hasUserDefinedMaps())
    return false;
  return llvm::all_of(op->getOperands(), [](Value v) {
    auto type = dyn_cast<MemRefType>(v.getType());
    return type && type.getElementType().isF32();
  });
}

struct Builder {
  OpBuilder &b;
  Location loc;
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  /// memref[indices], or 0 where `inBounds` is false (read at clamped
  /// indices, so that no lane reads out of bounds: mma needs every lane).
  Value load(Value memref, SmallVector<Value> indices, Value inBounds) {
    auto type = cast<MemRefType>(memref.getType());
    for (size_t i = 0; i < indices.size(); ++i) {
      Value dim = memref::DimOp::create(b, loc, memref, int64_t(i));
      Value last = arith::SubIOp::create(b, loc, arith::MaxUIOp::create(b, loc, dim, index(1)),
                                         index(1));
      indices[i] = arith::MinUIOp::create(b, loc, indices[i], last);
    }
    Value value = memref::LoadOp::create(b, loc, memref, indices);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
    return arith::SelectOp::create(b, loc, inBounds, value, zero);
  }
  /// Each f32 rounded to TF32 (10 mantissa bits: the upper 19 bits; to
  /// nearest, ties away from zero, as cvt.rna.tf32.f32 does): the hardware
  /// would otherwise truncate the operands. Inf and NaN stay as they are.
  Value tf32Rounded(Value vector) {
    auto type = cast<VectorType>(vector.getType());
    auto ints = VectorType::get(type.getShape(), b.getI32Type());
    auto splat = [&](uint32_t v) {
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(ints, b.getI32IntegerAttr(int32_t(v))));
    };
    Value bits = arith::BitcastOp::create(b, loc, ints, vector);
    Value truncated = arith::AndIOp::create(b, loc, bits, splat(0xffffe000u));
    Value rounded = arith::AndIOp::create(
        b, loc, arith::AddIOp::create(b, loc, bits, splat(0x1000u)), splat(0xffffe000u));
    auto isInfOrNaN = [&](Value v) {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   arith::AndIOp::create(b, loc, v, splat(0x7f800000u)),
                                   splat(0x7f800000u));
    };
    // A finite value that would round up to Inf (just under FLT_MAX) is
    // truncated instead; a NaN keeps a payload bit TF32 sees (its low bits
    // alone would read as Inf).
    Value special = isInfOrNaN(bits);
    Value result = arith::SelectOp::create(b, loc, isInfOrNaN(rounded), truncated, rounded);
    Value nan = arith::OrIOp::create(b, loc, bits, splat(0x00400000u));
    Value isNaN = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne, arith::AndIOp::create(b, loc, bits, splat(0x007fffffu)),
        splat(0u));
    Value keep = arith::SelectOp::create(b, loc, isNaN, nan, bits);
    return arith::BitcastOp::create(b, loc, type,
                                    arith::SelectOp::create(b, loc, special, keep, result));
  }
  /// x - big: exact in f32; 0 where big is Inf or NaN (whose own product
  /// carries it), so that Inf - Inf adds no NaN.
  Value tf32Rest(Value vector, Value big) {
    Value rest = arith::SubFOp::create(b, loc, vector, big);
    Value same = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, rest, rest);
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(vector.getType()));
    Value finiteBig = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::ONE,
        math::AbsFOp::create(b, loc, big),
        arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(cast<ShapedType>(vector.getType()),
                                   b.getF32FloatAttr(std::numeric_limits<float>::infinity()))));
    return arith::SelectOp::create(b, loc, arith::AndIOp::create(b, loc, same, finiteBig), rest,
                                   zero);
  }
  Value vector(ArrayRef<int64_t> shape, ArrayRef<Value> elements) {
    auto type = VectorType::get(shape, b.getF32Type());
    return vector::FromElementsOp::create(b, loc, type, elements);
  }
};

struct GpuMmaMatmulsPass : impl::GpuMmaMatmulsPassBase<GpuMmaMatmulsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (precision != "tf32" && precision != "tf32x3") {
      getOperation().emitError("openopt-gpu-mma-matmuls: precision is tf32 or tf32x3, not ")
          << precision;
      return signalPassFailure();
    }
    if (warpsPerBlock < 1 || warpsPerBlock > 32) {
      getOperation().emitError("openopt-gpu-mma-matmuls: warps-per-block must be 1 to 32");
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> matmuls;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (eligible(op))
        matmuls.push_back(op);
    });
    for (linalg::LinalgOp op : matmuls)
      if (large(op))
        rewriteTiled(op);
      else
        rewrite(op);
  }

  /// Big enough for the shared-memory tiles (64 x 32 of the result, K in
  /// steps of 16): both sizes at least a tile, or not known.
  static bool large(linalg::LinalgOp op) {
    auto ranges = op.getStaticLoopRanges();
    int64_t m = ranges[ranges.size() - 3], n = ranges[ranges.size() - 2];
    return (ShapedType::isDynamic(m) || m >= kBlockM) && (ShapedType::isDynamic(n) || n >= kBlockN);
  }

  /// What both kernels take of the matmul: its buffers and sizes (M rows,
  /// K deep, N columns; the batch for batch_matmul).
  struct Operands {
    bool batched;
    Value lhs, rhs, out, rows, depth, cols, batch;
  };

  static Operands operandsOf(linalg::LinalgOp op, Builder &m) {
    Operands o;
    o.batched = isa<linalg::BatchMatmulOp>(op.getOperation());
    o.lhs = op.getDpsInputOperand(0)->get();
    o.rhs = op.getDpsInputOperand(1)->get();
    o.out = op.getDpsInitOperand(0)->get();
    int64_t r = o.batched ? 1 : 0; // the first row dimension
    o.rows = memref::DimOp::create(m.b, m.loc, o.lhs, r);
    o.depth = memref::DimOp::create(m.b, m.loc, o.lhs, r + 1);
    o.cols = memref::DimOp::create(m.b, m.loc, o.rhs, r + 1);
    o.batch = o.batched ? memref::DimOp::create(m.b, m.loc, o.lhs, int64_t(0)).getResult()
                        : m.index(1);
    return o;
  }

  /// A thread of a launch: its warp, and in the warp its group g = lane / 4
  /// and t = lane % 4 (the fragments' coordinates); the batch it works on.
  struct Lane {
    Value tid, warp, g, t, batch;
  };

  /// The thread of `launch`'s body (the builder is inside it).
  static Lane laneOf(gpu::LaunchOp launch, Builder &m) {
    Lane l;
    l.tid = launch.getThreadIds().x;
    Value lane = arith::RemUIOp::create(m.b, m.loc, l.tid, m.index(kWarp));
    l.warp = arith::DivUIOp::create(m.b, m.loc, l.tid, m.index(kWarp));
    l.g = arith::DivUIOp::create(m.b, m.loc, lane, m.index(4));
    l.t = arith::RemUIOp::create(m.b, m.loc, lane, m.index(4));
    l.batch = launch.getBlockIds().z;
    return l;
  }

  /// The indices of element (i, j) of a (batched) operand.
  static SmallVector<Value> at(const Operands &o, const Lane &l, Value i, Value j) {
    SmallVector<Value> indices;
    if (o.batched)
      indices.push_back(l.batch);
    indices.append({i, j});
    return indices;
  }

  /// The lane's four elements of the 16 x 8 mma tile of C whose top-left
  /// is (row, col): rows row + {g, g + 8}, columns col + {2t, 2t + 1}, and
  /// which are inside C.
  struct AccTile {
    Value row[2], col[2], in[2][2];
  };

  static AccTile accTile(const Operands &o, const Lane &l, Builder &m, Value row, Value col) {
    AccTile a;
    a.row[0] = m.add(row, l.g);
    a.row[1] = m.add(a.row[0], m.index(8));
    a.col[0] = m.add(col, m.mul(l.t, m.index(2)));
    a.col[1] = m.add(a.col[0], m.index(1));
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        a.in[i][j] = m.both(m.lt(a.row[i], o.rows), m.lt(a.col[j], o.cols));
    return a;
  }

  /// The tile's accumulator, read from C (zeros outside).
  static Value loadAcc(const Operands &o, const Lane &l, Builder &m, const AccTile &a) {
    SmallVector<Value> c;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        c.push_back(m.load(o.out, at(o, l, a.row[i], a.col[j]), a.in[i][j]));
    return m.vector({2, 2}, c);
  }

  /// Writes the accumulator back into C (the elements inside it).
  static void storeAcc(const Operands &o, const Lane &l, Builder &m, const AccTile &a,
                       Value acc) {
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        auto guarded = scf::IfOp::create(m.b, m.loc, a.in[i][j], false);
        OpBuilder::InsertionGuard guard(m.b);
        m.b.setInsertionPoint(guarded.thenBlock()->getTerminator());
        Value v = vector::ExtractOp::create(m.b, m.loc, acc, ArrayRef<int64_t>{i, j});
        memref::StoreOp::create(m.b, m.loc, v, o.out, at(o, l, a.row[i], a.col[j]));
      }
  }

  /// acc + a b on the tensor cores at the pass's precision.
  Value step(Builder &m, Value a, Value bv, Value acc) {
    auto mma = [&](Value x, Value y, Value c) -> Value {
      return nvgpu::MmaSyncOp::create(m.b, m.loc, x, y, c,
                                      ArrayRef<int64_t>{kTileM, kTileN, kTileK},
                                      /*tf32Enabled=*/true);
    };
    if (precision == "tf32x3") {
      // a * b ~ small(a) big(b) + big(a) small(b) + big(a) big(b), each part
      // a TF32 value: about f32 accuracy (small(a) small(b) left out). The
      // rest needs up to 13 bits: rounded to TF32 too (else truncated).
      Value aBig = m.tf32Rounded(a), bBig = m.tf32Rounded(bv);
      Value aSmall = m.tf32Rounded(m.tf32Rest(a, aBig));
      Value bSmall = m.tf32Rounded(m.tf32Rest(bv, bBig));
      acc = mma(aSmall, bBig, acc);
      acc = mma(aBig, bSmall, acc);
      return mma(aBig, bBig, acc);
    }
    return mma(m.tf32Rounded(a), m.tf32Rounded(bv), acc);
  }

  /// The useful work (2 M N K per batch; tf32x3 does three times as much on
  /// the tensor cores) and the buffers: A and B read, C read and written.
  static KernelCost cost(linalg::LinalgOp op) {
    KernelCost cost;
    auto type = [&](int i) { return cast<MemRefType>(op->getOperand(i).getType()); };
    if (!type(0).hasStaticShape() || !type(1).hasStaticShape() || !type(2).hasStaticShape())
      return cost;
    int64_t k = type(0).getShape().back();
    cost.flops = 2 * type(2).getNumElements() * k;
    cost.bytes = 4 * (type(0).getNumElements() + type(1).getNumElements() +
                      2 * type(2).getNumElements());
    return cost;
  }

  /// A warp per 16 x 8 tile of C (warpsPerBlock tiles along the columns a
  /// block), its fragments read straight from global memory.
  void rewrite(linalg::LinalgOp op) {
    OpBuilder b(op);
    Builder m{b, op.getLoc()};
    Operands o = operandsOf(op, m);
    Value warps = m.index(warpsPerBlock);
    Value tilesN = arith::CeilDivUIOp::create(b, m.loc, o.cols, m.index(kTileN));
    Value tilesM = arith::CeilDivUIOp::create(b, m.loc, o.rows, m.index(kTileM));
    auto launch = openLaunch(b, m.loc, arith::CeilDivUIOp::create(b, m.loc, tilesN, warps), tilesM,
                             o.batch, m.index(kWarp * warpsPerBlock));
    nameKernel(launch, m.loc, cost(op));
    Lane l = laneOf(launch, m);
    Value n0 = m.mul(m.add(m.mul(launch.getBlockIds().x, warps), l.warp), m.index(kTileN));
    Value m0 = m.mul(launch.getBlockIds().y, m.index(kTileM));
    // The whole warp takes the branch (or not): mma.sync needs all lanes.
    auto tile = scf::IfOp::create(b, m.loc, m.lt(n0, o.cols), false);
    b.setInsertionPoint(tile.thenBlock()->getTerminator());
    AccTile acc = accTile(o, l, m, m0, n0);
    auto loop = scf::ForOp::create(b, m.loc, m.index(0), o.depth, m.index(kTileK),
                                   ValueRange{loadAcc(o, l, m, acc)});
    b.setInsertionPointToStart(loop.getBody());
    Value k = m.add(loop.getInductionVar(), l.t);
    Value kIn = m.lt(k, o.depth);
    Value a = m.vector({2, 1}, {m.load(o.lhs, at(o, l, acc.row[0], k),
                                       m.both(m.lt(acc.row[0], o.rows), kIn)),
                                m.load(o.lhs, at(o, l, acc.row[1], k),
                                       m.both(m.lt(acc.row[1], o.rows), kIn))});
    Value bCol = m.add(n0, l.g);
    Value bv = m.vector({1, 1}, {m.load(o.rhs, at(o, l, k, bCol), m.both(kIn, m.lt(bCol, o.cols)))});
    scf::YieldOp::create(b, m.loc, step(m, a, bv, loop.getRegionIterArgs()[0]));
    b.setInsertionPointAfter(loop);
    storeAcc(o, l, m, acc, loop.getResult(0));
    op->erase();
  }

  /// The block-tiled kernel: 4 warps (2 x 2) per 64 x 32 tile of the result,
  /// each warp 32 x 16 (2 x 2 mma tiles, accumulated in registers). A step
  /// of K stages the 64 x 16 slice of A and the 16 x 32 slice of B in shared
  /// memory (every thread loads 8 and 4 elements, neighbouring threads
  /// neighbouring columns, zeros past the edges), then each warp reads its
  /// fragments from there: A and B are read from global memory once per
  /// block tile instead of once per warp tile.
  void rewriteTiled(linalg::LinalgOp op) {
    OpBuilder b(op);
    Builder m{b, op.getLoc()};
    Location loc = m.loc;
    Operands o = operandsOf(op, m);
    auto launch = openLaunch(b, loc, arith::CeilDivUIOp::create(b, loc, o.cols, m.index(kBlockN)),
                             arith::CeilDivUIOp::create(b, loc, o.rows, m.index(kBlockM)), o.batch,
                             m.index(kWarp * 4));
    nameKernel(launch, loc, cost(op));
    // Rows padded so that a warp's fragment reads hit 32 different banks:
    // A[g][t] at 20 g + t, B[t][g] at 40 t + g (mod 32).
    auto workgroup = gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
    auto shared = [&](int64_t rows, int64_t cols) {
      return launch.addWorkgroupAttribution(
          MemRefType::get({rows, cols}, b.getF32Type(), MemRefLayoutAttrInterface(), workgroup),
          loc);
    };
    Value aTile = shared(kBlockM, kBlockK + 4), bTile = shared(kBlockK, kBlockN + 8);
    Lane l = laneOf(launch, m);
    // The block's tile, and the warp's 32 x 16 part of it (warps 0 1 / 2 3).
    Value m0 = m.mul(launch.getBlockIds().y, m.index(kBlockM));
    Value n0 = m.mul(launch.getBlockIds().x, m.index(kBlockN));
    Value wm = m.mul(arith::DivUIOp::create(b, loc, l.warp, m.index(2)), m.index(32));
    Value wn = m.mul(arith::RemUIOp::create(b, loc, l.warp, m.index(2)), m.index(16));
    // The accumulators: mma tile (mi, ni) at (m0 + wm + 16 mi, n0 + wn + 8 ni).
    SmallVector<AccTile> tiles;
    SmallVector<Value> accs;
    for (int64_t mi = 0; mi < 2; ++mi)
      for (int64_t ni = 0; ni < 2; ++ni) {
        tiles.push_back(accTile(o, l, m, m.add(m.add(m0, wm), m.index(16 * mi)),
                                m.add(m.add(n0, wn), m.index(8 * ni))));
        accs.push_back(loadAcc(o, l, m, tiles.back()));
      }
    auto loop = scf::ForOp::create(b, loc, m.index(0), o.depth, m.index(kBlockK), accs);
    b.setInsertionPointToStart(loop.getBody());
    Value k0 = loop.getInductionVar();
    // Stage the slices: A 64 x 16 (8 elements a thread), B 16 x 32 (4); row
    // i, column j of a slice of `width` columns for flat index tid + 128 e.
    auto stage = [&](Value tile, int64_t height, int64_t width, auto element) {
      for (int64_t e = 0; e < height * width / (kWarp * 4); ++e) {
        Value flat = m.add(l.tid, m.index(e * kWarp * 4));
        Value i = arith::DivUIOp::create(b, loc, flat, m.index(width));
        Value j = arith::RemUIOp::create(b, loc, flat, m.index(width));
        memref::StoreOp::create(b, loc, element(i, j), tile, ValueRange{i, j});
      }
    };
    stage(aTile, kBlockM, kBlockK, [&](Value i, Value j) {
      Value row = m.add(m0, i), k = m.add(k0, j);
      return m.load(o.lhs, at(o, l, row, k), m.both(m.lt(row, o.rows), m.lt(k, o.depth)));
    });
    stage(bTile, kBlockK, kBlockN, [&](Value i, Value j) {
      Value k = m.add(k0, i), col = m.add(n0, j);
      return m.load(o.rhs, at(o, l, k, col), m.both(m.lt(k, o.depth), m.lt(col, o.cols)));
    });
    gpu::BarrierOp::create(b, loc);
    SmallVector<Value> sums(loop.getRegionIterArgs().begin(), loop.getRegionIterArgs().end());
    for (int64_t kk = 0; kk < kBlockK; kk += kTileK) {
      Value kt = m.add(m.index(kk), l.t);
      SmallVector<Value> as, bs;
      for (int64_t mi = 0; mi < 2; ++mi) {
        Value r0 = m.add(wm, m.add(m.index(16 * mi), l.g));
        Value r1 = m.add(r0, m.index(8));
        as.push_back(m.vector({2, 1}, {memref::LoadOp::create(b, loc, aTile, ValueRange{r0, kt}),
                                       memref::LoadOp::create(b, loc, aTile, ValueRange{r1, kt})}));
      }
      for (int64_t ni = 0; ni < 2; ++ni) {
        Value c = m.add(wn, m.add(m.index(8 * ni), l.g));
        bs.push_back(m.vector({1, 1}, {memref::LoadOp::create(b, loc, bTile, ValueRange{kt, c})}));
      }
      for (int64_t mi = 0; mi < 2; ++mi)
        for (int64_t ni = 0; ni < 2; ++ni)
          sums[mi * 2 + ni] = step(m, as[mi], bs[ni], sums[mi * 2 + ni]);
    }
    // Every warp is done with the slices before the next step overwrites them.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, sums);
    b.setInsertionPointAfter(loop);
    for (auto [index, tile] : llvm::enumerate(tiles))
      storeAcc(o, l, m, tile, loop.getResult(index));
    op->erase();
  }
};
} // namespace
} // namespace openopt
