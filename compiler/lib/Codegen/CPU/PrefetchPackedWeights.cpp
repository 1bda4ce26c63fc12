//===- PrefetchPackedWeights.cpp - the openopt-prefetch-packed-weights pass ===//
//
// A packed matmul's register-tile loop (openopt-vectorize-matmul) reads one
// K tile of a weight panel, Bp[j, kc .. kc + tk, 0 .. P]; a direct
// convolution's reads one block of a filter chunk's [KH, KW, C, P] weights.
// Either is tk rows of P floats, contiguous, and the row tiles (or output
// rows) that share it follow each other. The first of them to reach a tile
// pulls it from wherever the weight is. When the weights do not stay in the
// caches between runs (bert's 28 MB, resnet's last stage) that is memory, a
// few KB at a time, at stream starts the hardware prefetchers pick up late,
// and the multiply-adds wait: bert's feed-forward matmuls took 4.0 ms in the
// model against 3.2 alone.
//
// The weight is read in the order of its rows, so the next tile the loop
// nest asks for is the one after this in memory. Each iteration here also
// prefetches, to L2, one line of the row tk rows further on: the row tile's
// own line of it (row tile r takes line r mod P/16, so the first P/16 row
// tiles fetch the whole next tile between them), or every line of it where
// the row tiles are outside the function (an outlined convolution step).
// The address is the panel load's plus a constant, computed as an integer:
// a prefetch may point past the weight (the last tile's next), which is no
// access, and needs no clamping in the loop, whose scalar ops would take
// issue slots from the FMAs.
//
//===----------------------------------------------------------------------===//
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

namespace openopt {
#define GEN_PASS_DEF_PREFETCHPACKEDWEIGHTSPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {
using namespace mlir;

constexpr int64_t kLineFloats = 16; // a 64-byte cache line of f32
constexpr int64_t kMinTileRows = 3;  // register tiles of fewer rows are left alone

// A weight's rows as a load sees them: P floats each, contiguous.
struct PanelLoad {
  vector::LoadOp load;
  int64_t width;     // P
  int64_t tileRows;  // tk, the loop's trip count
};

bool variesWith(Value index, scf::ForOp loop) {
  if (index == loop.getInductionVar())
    return true;
  Operation *def = index.getDefiningOp();
  return def && loop->isProperAncestor(def) &&
         llvm::is_contained(def->getOperands(), loop.getInductionVar());
}

// The panel load of `loop` (a step-1 loop carrying vector accumulators): the
// first whole-vector f32 load at column 0 of a rank >= 2 buffer whose rows
// are contiguous P-float runs (P a multiple of a cache line), with its row
// index varying with the loop, from a function's global or argument (an
// outlined kernel gets its weights as arguments, a convolution step a view
// of one block).
std::optional<PanelLoad> panelLoad(scf::ForOp loop) {
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step != 1 || *ub <= *lb || loop.getInitArgs().empty() ||
      !llvm::all_of(loop.getInitArgs(), [](Value v) { return isa<VectorType>(v.getType()); }))
    return std::nullopt;
  for (auto load : loop.getBody()->getOps<vector::LoadOp>()) {
    Value base = load.getBase();
    if (!base.getDefiningOp<memref::GetGlobalOp>() && !isa<BlockArgument>(base))
      continue;
    auto type = cast<MemRefType>(base.getType());
    VectorType vector = load.getVectorType();
    if (type.getRank() < 2 || !type.getElementType().isF32() || vector.getRank() != 1 ||
        vector.getDimSize(0) < 8)
      continue;
    int64_t width = type.getShape().back();
    llvm::SmallVector<int64_t> strides;
    int64_t offset;
    if (ShapedType::isDynamic(width) || width % kLineFloats != 0 ||
        failed(type.getStridesAndOffset(strides, offset)) || strides.back() != 1 ||
        strides[strides.size() - 2] != width)
      continue;
    if (!matchPattern(load.getIndices().back(), m_Zero()) ||
        !variesWith(load.getIndices()[type.getRank() - 2], loop))
      continue;
    // Rows of A a loaded vector of the panel meets in one iteration: a
    // single row (a GEMV) reads each weight once, a plain stream that the
    // hardware prefetchers follow and extra prefetches only slow (mlp_b1
    // 0.251 -> 0.265 ms at 1 thread).
    int64_t panelVectors = 0, fmas = 0;
    for (Operation &op : loop.getBody()->getOperations()) {
      if (auto other = dyn_cast<vector::LoadOp>(op);
          other && other.getBase() == base &&
          other.getIndices()[type.getRank() - 2] == load.getIndices()[type.getRank() - 2])
        ++panelVectors;
      fmas += isa<vector::FMAOp>(op);
    }
    if (fmas < kMinTileRows * panelVectors)
      continue;
    return PanelLoad{load, width, *ub - *lb};
  }
  return std::nullopt;
}

struct PrefetchPackedWeightsPass
    : impl::PrefetchPackedWeightsPassBase<PrefetchPackedWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
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

    // Outside the loop: the buffer's address and the lines to fetch.
    OpBuilder outer(loop);
    auto index = [&](OpBuilder &b, int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(outer, loc, load.getBase());
    auto metadata = memref::ExtractStridedMetadataOp::create(outer, loc, load.getBase());
    llvm::SmallVector<Value> lineOffsets;
    auto rows = loop->getParentOfType<scf::ForOp>();
    std::optional<int64_t> rowStep =
        rows && getOperation()->isProperAncestor(rows) ? getConstantIntValue(rows.getStep())
                                                       : std::nullopt;
    if (lines == 1) {
      lineOffsets.push_back(index(outer, 0));
    } else if (rowStep && *rowStep > 0) {
      Value tile = arith::DivUIOp::create(outer, loc, rows.getInductionVar(), index(outer, *rowStep));
      Value line = arith::RemUIOp::create(outer, loc, tile, index(outer, lines));
      lineOffsets.push_back(arith::MulIOp::create(outer, loc, line, index(outer, kLineFloats)));
    } else {
      for (int64_t line = 0; line < lines; ++line)
        lineOffsets.push_back(index(outer, line * kLineFloats));
    }

    // In the loop: the load's element, tk * tilesAhead rows on (static
    // strides and offset as constants, dynamic ones from the metadata).
    OpBuilder b(load);
    auto type = cast<MemRefType>(load.getBase().getType());
    auto [strides, offset] = type.getStridesAndOffset();
    auto known = [&](int64_t v, Value dynamic) {
      return ShapedType::isDynamic(v) ? dynamic : index(b, v);
    };
    Value element = known(offset, metadata.getOffset());
    for (int64_t i = 0; i + 1 < type.getRank(); ++i) // the column index is 0
      element = arith::AddIOp::create(
          b, loc, element,
          arith::MulIOp::create(b, loc, load.getIndices()[i],
                                known(strides[i], metadata.getStrides()[i])));
    element = arith::AddIOp::create(b, loc, element,
                                    index(b, panel.tileRows * tilesAhead * panel.width));
    Type i64 = b.getI64Type();
    auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
    for (Value lineOffset : lineOffsets) {
      Value bytes = arith::MulIOp::create(
          b, loc, arith::AddIOp::create(b, loc, element, lineOffset), index(b, sizeof(float)));
      Value address = arith::IndexCastUIOp::create(
          b, loc, i64, arith::AddIOp::create(b, loc, pointer, bytes));
      Value ptr = LLVM::IntToPtrOp::create(b, loc, ptrType, address);
      LLVM::Prefetch::create(b, loc, ptr, b.getI32IntegerAttr(0), b.getI32IntegerAttr(2),
                             b.getI32IntegerAttr(1));
    }
    if (metadata->use_empty()) // a static layout
      metadata->erase();
  }
};

} // namespace
} // namespace openopt
