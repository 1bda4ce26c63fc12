//===- PrefetchPackedWeights.cpp - the openopt-prefetch-packed-weights pass ===//
//
// A packed matmul's register-tile loop (openopt-vectorize-matmul) reads one
// K tile of a weight panel, Bp[j, kc .. kc + tk, 0 .. P]; a direct
// convolution's reads one block of a filter chunk's [KH, KW, C, P] weights.
// Either is tk rows of P floats, contiguous, shared by the row tiles (or
// output rows) that follow each other through it. The first of them to reach
// a tile pulls it from wherever the weight is. When the weights do not stay
// in the caches between runs (bert's 28 MB, resnet's last stage) that is
// memory, a few KB at a time, at stream starts the hardware prefetchers
// pick up late, and the multiply-adds wait: bert's feed-forward matmuls took
// 4.0 ms in the model against 3.2 alone.
//
// Each iteration here also prefetches, to L2, one line of the row tk rows
// further on in memory: the same panel's next K tile, which the loop nest
// reads after the cache tile's other panels (a direct convolution's next
// block, which it reads next). The row tile picks the line (row tile r takes
// line r mod P/16, so the first P/16 row tiles fetch the whole tile between
// them) where its loop is the register loop's parent; elsewhere (an outlined
// convolution step, a thread's unit of rows) every line of the row. In a
// cache tile's last K tile the next K tile is the next panel's first, read
// already; there the prefetch skips to the next cache tile's panel at the
// same place, so that every panel's first K tile is fetched ahead too
// (bert2l_tied 22.8 -> 22.0 ms, mlp_b64 1.40 -> 1.33 at 1 thread).
//
// The address is the panel load's plus a constant, computed as an integer:
// the last tile's prefetch may point past the weight, which accesses
// nothing, and the loop needs no clamp, whose scalar ops would take issue
// slots from the FMAs (mlp_b64 1.43 -> 1.49 ms with one).
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/SmallSet.h"

namespace openopt {
#define GEN_PASS_DEF_PREFETCHPACKEDWEIGHTSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
using namespace mlir;

constexpr int64_t kLineFloats = 16; // a 64-byte cache line of f32
// Register tiles of fewer rows are left alone: a single row (a GEMV) reads
// each weight once, a plain stream the hardware prefetchers follow, and one
// prefetch per one or two FMAs only slowed it (mlp_b1 0.251 -> 0.265 ms).
// Two-row tiles are rare (odd shapes) and left alone with it.
constexpr int64_t kMinTileRows = 3;

// A weight's rows as the register loop reads them: P floats each, contiguous.
struct PanelLoad {
  vector::LoadOp load;
  int64_t width;    // P
  int64_t tileRows; // tk, the loop's trip count
};

bool variesWith(Value index, scf::ForOp loop) {
  if (index == loop.getInductionVar())
    return true;
  Operation *def = index.getDefiningOp();
  return def && loop->isProperAncestor(def) &&
         llvm::is_contained(def->getOperands(), loop.getInductionVar());
}

// A weight: a constant global, or an argument of the function (an outlined
// kernel gets its weights as arguments, a convolution step a view of one
// block), defined outside the loop.
bool isWeightLike(Value base, scf::ForOp loop) {
  if (!loop.isDefinedOutsideOfLoop(base))
    return false;
  if (base.getDefiningOp<memref::GetGlobalOp>())
    return true;
  auto argument = dyn_cast<BlockArgument>(base);
  return argument && isa<func::FuncOp>(argument.getOwner()->getParentOp());
}

// Whether two indices are the same value or computed alike from the same
// values (each piece of a split register tile recomputes its indices).
bool sameIndex(Value a, Value b) {
  if (a == b)
    return true;
  Operation *x = a.getDefiningOp(), *y = b.getDefiningOp();
  return x && y &&
         OperationEquivalence::isEquivalentTo(x, y, OperationEquivalence::IgnoreLocations);
}

// The rows of A the register tile multiplies each vector of the panel's row
// with: the FMAs of an iteration over the panel's distinct vectors (its
// loads at distinct columns; a three-vector tile split into one-row pieces
// loads each vector once a row).
int64_t tileRows(scf::ForOp loop, vector::LoadOp load, int64_t rowDim) {
  llvm::SmallSet<std::pair<void *, int64_t>, 8> columns;
  int64_t fmas = 0;
  for (Operation &op : loop.getBody()->getOperations()) {
    fmas += isa<vector::FMAOp>(op);
    auto other = dyn_cast<vector::LoadOp>(op);
    if (!other || other.getBase() != load.getBase() ||
        !sameIndex(other.getIndices()[rowDim], load.getIndices()[rowDim]))
      continue;
    Value column = other.getIndices().back();
    std::optional<int64_t> constant = getConstantIntValue(column);
    columns.insert({constant ? nullptr : column.getAsOpaquePointer(), constant.value_or(0)});
  }
  return columns.empty() ? 0 : fmas / static_cast<int64_t>(columns.size());
}

// The panel load of `loop` (a step-1 loop over a constant range carrying
// vector accumulators): the first whole-vector f32 load at column 0 of a
// weight of rank >= 2 whose rows are contiguous runs of P floats (P a
// multiple of a cache line), with its row index varying with the loop, in a
// register tile of at least kMinTileRows rows.
std::optional<PanelLoad> panelLoad(scf::ForOp loop) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step != 1 || *ub <= *lb || loop.getInitArgs().empty() ||
      !llvm::all_of(loop.getInitArgs(), [](Value v) { return isa<VectorType>(v.getType()); }))
    return std::nullopt;
  for (auto load : loop.getBody()->getOps<vector::LoadOp>()) {
    Value base = load.getBase();
    auto type = cast<MemRefType>(base.getType());
    VectorType loaded = load.getVectorType();
    if (!isWeightLike(base, loop) || type.getRank() < 2 || !type.getElementType().isF32() ||
        loaded.getRank() != 1 || loaded.getDimSize(0) < 8)
      continue;
    int64_t width = type.getShape().back(), rowDim = type.getRank() - 2;
    llvm::SmallVector<int64_t> strides;
    int64_t offset;
    if (ShapedType::isDynamic(width) || width % kLineFloats != 0 ||
        failed(type.getStridesAndOffset(strides, offset)) || strides.back() != 1 ||
        strides[rowDim] != width)
      continue;
    if (!matchPattern(load.getIndices().back(), m_Zero()) ||
        !variesWith(load.getIndices()[rowDim], loop) ||
        tileRows(loop, load, rowDim) < kMinTileRows)
      continue;
    return PanelLoad{load, width, *ub - *lb};
  }
  return std::nullopt;
}

// The loop over the row tiles that share the panel's tile: the register
// loop's parent, if it is an index loop with a constant step that the
// panel load's indices do not depend on.
std::optional<std::pair<scf::ForOp, int64_t>> rowTileLoop(scf::ForOp loop, vector::LoadOp load) {
  auto rows = dyn_cast<scf::ForOp>(loop->getParentOp());
  if (!rows || !rows.getInductionVar().getType().isIndex())
    return std::nullopt;
  std::optional<int64_t> step = getConstantIntValue(rows.getStep());
  if (!step || *step <= 0 ||
      llvm::any_of(load.getIndices(), [&](Value index) { return variesWith(index, rows); }))
    return std::nullopt;
  return std::make_pair(rows, *step);
}

// A packed matmul's cache tile of several panels, as the schedule nests it:
// K tiles (step tk, up to the panel's K) around the panels (Np of them)
// around the row tiles. Returns the K-tile loop and Np. In the last K
// tile, the same panel's "next K tile" is the next panel's first, which
// this cache tile has read already; the next cache tile's panel at the same
// place, Np - 1 panels further, is the one still to come.
std::optional<std::pair<scf::ForOp, int64_t>> panelBlock(scf::ForOp rows, vector::LoadOp load,
                                                          int64_t tileRows, int64_t panelRows) {
  auto panels = dyn_cast<scf::ForOp>(rows->getParentOp());
  auto kTiles = panels ? dyn_cast<scf::ForOp>(panels->getParentOp()) : scf::ForOp();
  if (!kTiles || load.getIndices().size() != 3)
    return std::nullopt;
  std::optional<llvm::APInt> trips = panels.getStaticTripCount();
  std::optional<int64_t> count;
  if (trips)
    count = static_cast<int64_t>(trips->getZExtValue());
  std::optional<int64_t> step = getConstantIntValue(kTiles.getStep());
  std::optional<int64_t> lb = getConstantIntValue(kTiles.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(kTiles.getUpperBound());
  if (!count || *count < 2 || step != tileRows || lb != 0 || ub != panelRows ||
      !variesWith(load.getIndices()[0], panels) || !variesWith(load.getIndices()[1], kTiles))
    return std::nullopt;
  return std::make_pair(kTiles, *count);
}

struct PrefetchPackedWeightsPass
    : impl::PrefetchPackedWeightsPassBase<PrefetchPackedWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (tilesAhead < 1) {
      getOperation().emitError("openopt-prefetch-packed-weights: tiles-ahead must be at least 1, got ")
          << static_cast<int64_t>(tilesAhead);
      return signalPassFailure();
    }
    llvm::SmallVector<std::pair<scf::ForOp, PanelLoad>> sites;
    getOperation().walk([&](scf::ForOp loop) {
      if (std::optional<PanelLoad> panel = panelLoad(loop))
        sites.push_back({loop, *panel});
    });
    for (auto &[loop, panel] : sites)
      prefetchNextTile(loop, panel);
  }

  void prefetchNextTile(scf::ForOp loop, const PanelLoad &panel) {
    vector::LoadOp load = panel.load;
    Location loc = load.getLoc();
    int64_t lines = panel.width / kLineFloats;
    auto index = [&](OpBuilder &b, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };

    // Outside the loop: the buffer's address and the lines to fetch.
    OpBuilder outer(loop);
    Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(outer, loc, load.getBase());
    llvm::SmallVector<Value> lineOffsets;
    std::optional<std::pair<scf::ForOp, int64_t>> rows = rowTileLoop(loop, load);
    if (lines == 1) {
      lineOffsets.push_back(index(outer, 0));
    } else if (rows) {
      Value tile = arith::DivUIOp::create(outer, loc, rows->first.getInductionVar(),
                                          index(outer, rows->second));
      Value line = arith::RemUIOp::create(outer, loc, tile, index(outer, lines));
      lineOffsets.push_back(arith::MulIOp::create(outer, loc, line, index(outer, kLineFloats)));
    } else {
      for (int64_t line = 0; line < lines; ++line)
        lineOffsets.push_back(index(outer, line * kLineFloats));
    }

    // In the loop: the load's element, tk * tilesAhead rows on. Static
    // strides and offset are constants, dynamic ones come from the metadata.
    auto type = cast<MemRefType>(load.getBase().getType());
    auto [strides, offset] = type.getStridesAndOffset();
    memref::ExtractStridedMetadataOp metadata;
    if (ShapedType::isDynamic(offset) || llvm::any_of(strides, ShapedType::isDynamic))
      metadata = memref::ExtractStridedMetadataOp::create(outer, loc, load.getBase());
    OpBuilder b(load);
    auto staticOr = [&](int64_t v, llvm::function_ref<Value()> dynamic) {
      return ShapedType::isDynamic(v) ? dynamic() : index(b, v);
    };
    Value element = staticOr(offset, [&] { return metadata.getOffset(); });
    for (int64_t i = 0; i + 1 < type.getRank(); ++i) { // the column index is 0
      Value stride = staticOr(strides[i], [&] { return metadata.getStrides()[i]; });
      element = arith::AddIOp::create(
          b, loc, element, arith::MulIOp::create(b, loc, load.getIndices()[i], stride));
    }
    element = arith::AddIOp::create(b, loc, element,
                                    index(b, panel.tileRows * tilesAhead * panel.width));
    if (rows && tilesAhead == 1)
      if (auto block = panelBlock(rows->first, load, panel.tileRows, type.getDimSize(1))) {
        auto [kTiles, count] = *block;
        Value last = arith::CmpIOp::create(
            outer, loc, arith::CmpIPredicate::eq, kTiles.getInductionVar(),
            index(outer, type.getDimSize(1) - panel.tileRows));
        Value skip = arith::SelectOp::create(
            outer, loc, last, index(outer, (count - 1) * type.getDimSize(1) * panel.width),
            index(outer, 0));
        element = arith::AddIOp::create(b, loc, element, skip);
      }
    Type i64 = b.getI64Type();
    auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
    for (Value lineOffset : lineOffsets) {
      Value bytes = arith::MulIOp::create(
          b, loc, arith::AddIOp::create(b, loc, element, lineOffset), index(b, sizeof(float)));
      Value address = arith::IndexCastUIOp::create(
          b, loc, i64, arith::AddIOp::create(b, loc, pointer, bytes));
      Value ptr = LLVM::IntToPtrOp::create(b, loc, ptrType, address);
      LLVM::Prefetch::create(b, loc, ptr, /*rw=*/b.getI32IntegerAttr(0),
                             /*hint=*/b.getI32IntegerAttr(2), /*cache=*/b.getI32IntegerAttr(1));
    }
  }
};

} // namespace
} // namespace openopt
