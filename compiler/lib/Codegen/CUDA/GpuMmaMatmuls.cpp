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
    Value rounded = arith::AndIOp::create(
        b, loc, arith::AddIOp::create(b, loc, bits, splat(0x1000u)), splat(0xffffe000u));
    Value exponent = arith::AndIOp::create(b, loc, bits, splat(0x7f800000u));
    Value finite = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, exponent,
                                         splat(0x7f800000u));
    return arith::BitcastOp::create(b, loc, type,
                                    arith::SelectOp::create(b, loc, finite, rounded, bits));
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
      rewrite(op);
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

  void rewrite(linalg::LinalgOp op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Builder m{b, loc};
    bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
    Value lhs = op.getDpsInputOperand(0)->get(), rhs = op.getDpsInputOperand(1)->get();
    Value out = op.getDpsInitOperand(0)->get();
    int64_t r = batched ? 1 : 0; // the first row dimension
    Value rows = memref::DimOp::create(b, loc, lhs, r);
    Value depth = memref::DimOp::create(b, loc, lhs, r + 1);
    Value cols = memref::DimOp::create(b, loc, rhs, r + 1);
    Value batch = batched ? memref::DimOp::create(b, loc, lhs, int64_t(0)).getResult() : m.index(1);
    Value warps = m.index(warpsPerBlock);
    Value tilesN = arith::CeilDivUIOp::create(b, loc, cols, m.index(kTileN));
    Value tilesM = arith::CeilDivUIOp::create(b, loc, rows, m.index(kTileM));
    Value gridX = arith::CeilDivUIOp::create(b, loc, tilesN, warps);
    Value one = m.index(1);
    auto launch = gpu::LaunchOp::create(b, loc, gridX, tilesM, batch,
                                        m.index(kWarp * warpsPerBlock), one, one);
    nameKernel(launch, loc, cost(op));
    b.setInsertionPointToEnd(&launch.getBody().front());
    auto terminator = gpu::TerminatorOp::create(b, loc);
    b.setInsertionPoint(terminator);

    Value tid = launch.getThreadIds().x;
    Value lane = arith::RemUIOp::create(b, loc, tid, m.index(kWarp));
    Value warp = arith::DivUIOp::create(b, loc, tid, m.index(kWarp));
    Value g = arith::DivUIOp::create(b, loc, lane, m.index(4));
    Value t = arith::RemUIOp::create(b, loc, lane, m.index(4));
    Value n0 = m.mul(m.add(m.mul(launch.getBlockIds().x, warps), warp), m.index(kTileN));
    Value m0 = m.mul(launch.getBlockIds().y, m.index(kTileM));
    Value bz = launch.getBlockIds().z;
    // The whole warp takes the branch (or not): mma.sync needs all lanes.
    auto tile = scf::IfOp::create(b, loc, m.lt(n0, cols), false);
    b.setInsertionPoint(tile.thenBlock()->getTerminator());
    auto at = [&](Value i, Value j) {
      SmallVector<Value> indices;
      if (batched)
        indices.push_back(bz);
      indices.append({i, j});
      return indices;
    };
    Value row0 = m.add(m0, g), row1 = m.add(m0, m.add(g, m.index(8)));
    Value col0 = m.add(n0, m.mul(t, m.index(2))), col1 = m.add(col0, one);
    Value in00 = m.both(m.lt(row0, rows), m.lt(col0, cols));
    Value in01 = m.both(m.lt(row0, rows), m.lt(col1, cols));
    Value in10 = m.both(m.lt(row1, rows), m.lt(col0, cols));
    Value in11 = m.both(m.lt(row1, rows), m.lt(col1, cols));
    Value acc = m.vector({2, 2}, {m.load(out, at(row0, col0), in00), m.load(out, at(row0, col1), in01),
                                 m.load(out, at(row1, col0), in10), m.load(out, at(row1, col1), in11)});
    auto loop = scf::ForOp::create(b, loc, m.index(0), depth, m.index(kTileK), ValueRange{acc});
    b.setInsertionPointToStart(loop.getBody());
    Value k = m.add(loop.getInductionVar(), t);
    Value kIn = m.lt(k, depth);
    Value a = m.vector({2, 1}, {m.load(lhs, at(row0, k), m.both(m.lt(row0, rows), kIn)),
                                m.load(lhs, at(row1, k), m.both(m.lt(row1, rows), kIn))});
    Value bCol = m.add(n0, g);
    Value bv = m.vector({1, 1}, {m.load(rhs, at(k, bCol), m.both(kIn, m.lt(bCol, cols)))});
    Value sum = loop.getRegionIterArgs()[0];
    auto mma = [&](Value x, Value y, Value c) -> Value {
      return nvgpu::MmaSyncOp::create(b, loc, x, y, c, ArrayRef<int64_t>{kTileM, kTileN, kTileK},
                                      /*tf32Enabled=*/true);
    };
    if (precision == "tf32x3") {
      // a * b ~ small(a) big(b) + big(a) small(b) + big(a) big(b): each part
      // exact in tf32, f32 accuracy but for small(a) small(b).
      Value aBig = m.tf32Rounded(a), bBig = m.tf32Rounded(bv);
      Value aSmall = m.tf32Rest(a, aBig), bSmall = m.tf32Rest(bv, bBig);
      sum = mma(aSmall, bBig, sum);
      sum = mma(aBig, bSmall, sum);
      sum = mma(aBig, bBig, sum);
    } else {
      sum = mma(m.tf32Rounded(a), m.tf32Rounded(bv), sum);
    }
    scf::YieldOp::create(b, loc, sum);
    b.setInsertionPointAfter(loop);
    Value result = loop.getResult(0);
    auto store = [&](int64_t i, int64_t j, Value inBounds, Value row, Value col) {
      auto guarded = scf::IfOp::create(b, loc, inBounds, false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(guarded.thenBlock()->getTerminator());
      Value v = vector::ExtractOp::create(b, loc, result, ArrayRef<int64_t>{i, j});
      memref::StoreOp::create(b, loc, v, out, at(row, col));
    };
    store(0, 0, in00, row0, col0);
    store(0, 1, in01, row0, col1);
    store(1, 0, in10, row1, col0);
    store(1, 1, in11, row1, col1);
    op->erase();
  }
};
} // namespace
} // namespace openopt
