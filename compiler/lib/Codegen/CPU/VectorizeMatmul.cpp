//===- VectorizeMatmul.cpp - the openopt-vectorize-matmul pass ------------===//
//
// Writes a transform-dialect script for the function's matmuls, with tile
// sizes picked per op so that every tile divides its dimension (partial tiles
// would make shapes dynamic and silently stop vectorization), and applies it.
//
//===----------------------------------------------------------------------===//
#include "MatmulZeroInit.h"
#include "PackedMatmul.h"
#include "openopt/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace openopt {
#define GEN_PASS_DEF_VECTORIZEMATMULPASS
#include "openopt/Codegen/CPU/Passes.h.inc"

namespace {

constexpr llvm::StringLiteral kScheduleAttr = "openopt.schedule";

// Largest multiple of `step` that divides `size` and is at most `limit`.
int64_t dividingTile(int64_t size, int64_t step, int64_t limit) {
  int64_t best = step;
  for (int64_t t = step; t <= std::min(size, limit); t += step)
    if (size % t == 0)
      best = t;
  return best;
}

struct Schedule {
  llvm::SmallVector<int64_t> cacheTiles, registerTiles;
  /// Order of the register tiles' loops (empty: the op's own order).
  llvm::SmallVector<int64_t> registerOrder;
};

// Tiles for a (batch_)matmul of static M x N x K, or nullopt to leave it.
std::optional<Schedule> chooseSchedule(int64_t m, int64_t n, int64_t k, bool batched,
                                       int64_t maxM, int64_t maxN, int64_t maxK,
                                       int64_t vectorBits) {
  int64_t lanes = vectorBits / 32;
  // Accumulators: 24 of AVX-512's 32 zmm, 12 of AVX2's 16 ymm (registerTile).
  int64_t maxAccumulators = vectorBits == 512 ? 24 : 12;
  int64_t rn = 0, rm = 1;
  // A few odd rows (a direct convolution's run of 7 pixels): all of them,
  // as many vectors wide as the accumulators allow.
  // Three vectors only on AVX-512 (7 x 48 for a run of 7 pixels by a
  // 48-filter chunk): AVX2's tiles are 16 wide (registerTile).
  if (m >= 3 && m <= 7 && m % 2 != 0)
    for (int64_t regs : {3, 2, 1})
      if (n % (regs * lanes) == 0 && m * regs <= maxAccumulators &&
          (regs != 3 || vectorBits == 512)) {
        rn = regs * lanes;
        rm = m;
        break;
      }
  if (rn == 0 && (m == 1 || m % 2 != 0)) {
    // A single row (GEMV-like): spread the accumulators along N.
    for (int64_t regs : {8, 4, 2, 1})
      if (n % (regs * lanes) == 0 && regs <= maxAccumulators) {
        rn = regs * lanes;
        break;
      }
    if (rn == 0 && n % 8 == 0)
      rn = 8;
  } else if (rn == 0) {
    if (std::optional<RegisterTile> tile = registerTile(m, n, vectorBits)) {
      rm = tile->rows;
      rn = tile->width;
    } else if (n % 8 == 0) {
      rn = 8;
      for (int64_t rows : {8, 4, 2})
        if (m % rows == 0) {
          rm = rows;
          break;
        }
    }
  }
  if (rn == 0)
    return std::nullopt;
  // A tile wider than two vectors takes K tiles of at most 8192 / width
  // (170 for 48: K = 768 gets 128, K = 576 gets 144), so that its B columns
  // for one K tile, which the row tiles share, stay in about 24 KB of L1
  // beside the rows of A (bert's 128x768x3072 with the 8 x 48 tile: 3.20
  // ms with K tiles of 128, 3.41 with 256, 3.33 with 64). A single row's B
  // is read once whatever the tile.
  int64_t kLimit = rm > 1 && rn > 32 ? std::min(maxK, 8192 / rn) : maxK;
  int64_t tk = dividingTile(k, 1, kLimit);
  if (tk < std::min<int64_t>(32, kLimit) && k <= 1024)
    tk = k; // an awkward K (a prime, say): keep it whole
  Schedule s;
  s.cacheTiles = {dividingTile(m, rm, maxM), dividingTile(n, rn, maxN), tk};
  s.registerTiles = {rm, rn, 1};
  if (batched) {
    s.cacheTiles.insert(s.cacheTiles.begin(), 1);
    s.registerTiles.insert(s.registerTiles.begin(), 1);
  }
  return s;
}

// Tiles for a packed matmul (PackedMatmul.h), loops (m, j, n, k): the
// matmul's schedule with its register tile exactly one panel wide, so that
// each tile reads one panel of B; cache tiles take whole panels.
std::optional<Schedule> packedSchedule(int64_t m, int64_t n, int64_t k, int64_t panel,
                                       int64_t maxM, int64_t maxN, int64_t maxK,
                                       int64_t vectorBits) {
  auto s = chooseSchedule(m, panel, k, /*batched=*/false, maxM, panel, maxK, vectorBits);
  if (!s || s->registerTiles[1] != panel)
    return std::nullopt;
  int64_t panels = dividingTile(n, panel, std::max(maxN, panel)) / panel;
  // Tile size 0 leaves the panel's own loop (n) whole.
  s->cacheTiles = {s->cacheTiles[0], panels, 0, s->cacheTiles[2]};
  s->registerTiles = {s->registerTiles[0], 1, 0, 1};
  // Panels outside, rows inside: a panel's K-tile (at most 32 KB) stays in
  // L1 while the row tiles pass, each reading its rows of A (8 KB) from L2;
  // rows outside, each row tile read the whole cache tile of B (up to 256
  // KB) again, and the first one pulled it from memory in one burst. bert's
  // 128x768x3072 feed-forward matmul: 3.4 -> 2.85 ms.
  s->registerOrder = {1, 0, 2, 3};
  return s;
}

// Per-thread slice of a (batch_)matmul: the loop sizes to hand each thread,
// 0 for dims that are not split. Prefers the batch, then M, then N, with
// slices that keep the register tile dividing them.
std::optional<llvm::SmallVector<int64_t>> threadSlices(int64_t batch, int64_t m, int64_t n,
                                                       bool batched, int64_t threads,
                                                       int64_t vectorBits) {
  llvm::SmallVector<int64_t> sizes(batched ? 4 : 3, 0);
  int64_t offset = batched ? 1 : 0;
  if (batched && batch % threads == 0) {
    sizes[0] = batch / threads;
    return sizes;
  }
  // Each thread reads all of the operand along the dim that is not split:
  // split M only when B (K x N) is the smaller operand, else N (a
  // convolution's [F, K] x [K, pixels] matmul has far more pixels than F).
  bool mFirst = m >= n;
  if (mFirst && m % (threads * 8) == 0 && m / threads >= 8) {
    sizes[offset] = m / threads;
    return sizes;
  }
  // N slices of whole two- or three-vector tiles (on two threads, N = 96
  // is two 48s). An N of 48 times an odd number (144) has neither on two
  // threads: it splits M below where M allows, else it stays serial (the
  // lowering used to pad it to 160).
  if (n % (threads * 32) == 0 || (vectorBits == 512 && n % (threads * 48) == 0)) {
    sizes[offset + 1] = n / threads;
    return sizes;
  }
  // N slices that are not a multiple of 32 or 48 halve the AVX-512 register tile
  // (8x16, eight accumulators instead of sixteen): split M instead where it
  // divides. resnet's 192x864x224 stride-2 convolution ran no faster on two
  // threads than on one with N cut into 112s. (AVX2's tile is 16 wide
  // either way, so it keeps splitting N.)
  if (vectorBits == 512 && !mFirst && m % (threads * 8) == 0 && m / threads >= 8) {
    sizes[offset] = m / threads;
    return sizes;
  }
  if (n % (threads * 16) == 0) {
    sizes[offset + 1] = n / threads;
    return sizes;
  }
  return std::nullopt;
}

// For a linalg op that is not a matmul: the loop to split across `threads`,
// or nullopt when the op is too small for a parallel region to pay (a
// fork/join costs about 3 us; 32K iterations of the cheapest body take
// ~10). The size counts the body's operations too: MobileNetV2's 7x7
// depthwise convolutions (28K iterations of nine loads and FMAs) ran on one
// thread. The first parallel loop whose slices are within 1/6 of each other
// (a multiple of `threads`, or 4 + 3 of 7), else the first with at least
// `threads` iterations: the stem's im2col [1, 3, 7, 7, 112, 112] split
// along its 3 channels left one thread a third of the work idle. An
// element-wise op after a matmul split by rows is split by rows too where
// it can be: split by channels instead ([1, 7, 7, 960] has no even row
// split), each thread read half its input from the other's cache, and that
// other thread's next writes to those lines waited for them to be taken
// back (MobileNetV2's 7x7 stage on two threads, 0.97 -> 0.91 ms).
std::optional<int64_t> parallelLoop(mlir::linalg::LinalgOp op, int64_t threads) {
  llvm::SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t iterations = 1;
  for (int64_t r : ranges) {
    if (mlir::ShapedType::isDynamic(r))
      return std::nullopt;
    iterations *= r;
  }
  int64_t bodyOps = 0;
  for (mlir::Operation &inner : op->getRegion(0).front().without_terminator())
    bodyOps += !mlir::isa<mlir::linalg::IndexOp>(inner);
  if (iterations * std::max<int64_t>(bodyOps, 1) < (int64_t(1) << 15))
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  auto nearlyEven = [&](int64_t r) {
    int64_t largest = (r + threads - 1) / threads;
    return 6 * largest * threads <= 7 * r;
  };
  for (auto [i, r] : llvm::enumerate(ranges))
    if (iterators[i] == mlir::utils::IteratorType::parallel && r >= threads && nearlyEven(r))
      return int64_t(i);
  for (auto [i, r] : llvm::enumerate(ranges))
    if (iterators[i] == mlir::utils::IteratorType::parallel && r >= threads)
      return int64_t(i);
  return std::nullopt;
}

std::string tileStep(llvm::StringRef target, llvm::StringRef result,
                     llvm::ArrayRef<int64_t> sizes, llvm::ArrayRef<int64_t> order = {}) {
  // Size 0 leaves a loop untiled, and it gets no handle.
  size_t tiled = llvm::count_if(sizes, [](int64_t s) { return s != 0; });
  std::string loops = llvm::join(llvm::SmallVector<std::string>(tiled, "!transform.any_op"), ", ");
  auto list = [](llvm::ArrayRef<int64_t> values) {
    return llvm::join(llvm::map_range(values, [](int64_t v) { return std::to_string(v); }), ", ");
  };
  std::string interchange = order.empty() ? "" : " interchange = [" + list(order) + "]";
  return llvm::formatv("    %{0}, %{0}_loops:{1} = transform.structured.tile_using_for %{2} "
                       "tile_sizes [{3}]{5} : (!transform.any_op) -> (!transform.any_op, {4})\n",
                       result, tiled, target, list(sizes), loops, interchange)
      .str();
}

// The payload root (%f) is the function itself. The vector lowering that
// follows tiling: contraction to broadcast + FMA
// outer products, accumulators hoisted out of the K loop (the notes'
// measured 85 GFLOP/s recipe on AVX2). Hoisting needs the subviews folded
// into the transfers; fold_memref_alias_ops can cycle forever on reshaped
// memrefs, so it runs for a bounded number of rounds and a non-converged
// (but already folded) result is accepted.
constexpr llvm::StringLiteral kLowering = R"(
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.drop_unit_dims_with_shape_cast
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    transform.sequence %f : !transform.any_op failures(suppress) {
    ^bb0(%g: !transform.any_op):
      transform.apply_patterns to %g {
        transform.apply_patterns.memref.fold_memref_alias_ops
      } {max_iterations = 3} : !transform.any_op
    }
    transform.apply_patterns to %f {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    %h = transform.structured.hoist_redundant_vector_transfers %f : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %h {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.split_transfer_full_partial split_transfer_strategy = "vector-transfer"
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.vector.lower_transpose
      transform.apply_patterns.vector.lower_broadcast
    } : !transform.any_op
)";

// Marks the stand-in buffer of a matmul's output (see below), its copies and
// its dealloc with the same number, so that they are found again after the
// schedule has rewritten the function.
constexpr llvm::StringLiteral kStandInAttr = "openopt.stand_in";

// Gives the matmul plain buffers, which its schedule needs twice over:
//  - fold_memref_alias_ops folds vector transfers through collapse_shape /
//    expand_shape into linearised multi-dimensional indexing, breaking the
//    unit-stride loads; a reshaped input is re-expressed as a
//    reinterpret_cast of its (contiguous) source, which the fold leaves alone;
//  - the accumulator hoisting refuses an output buffer that is a view or has
//    views taken of it anywhere in the function (a packed matmul's output
//    always is one), and without it every FMA step loads and stores the
//    accumulators (3-4x slower); such an output is scheduled in a stand-in
//    buffer, copied in (unless the matmul starts from zero) and out, which
//    useStandIns undoes once the accumulators are hoisted.
void preparePlainBuffers(mlir::linalg::LinalgOp op, int64_t &standIns) {
  mlir::OpBuilder b(op);
  mlir::Location loc = op.getLoc();
  for (mlir::OpOperand &operand : op->getOpOperands()) {
    mlir::Value value = operand.get();
    auto type = mlir::cast<mlir::MemRefType>(value.getType());
    mlir::Operation *def = value.getDefiningOp();
    b.setInsertionPoint(op);
    if (!op.isDpsInit(&operand)) {
      if (!mlir::isa_and_present<mlir::memref::CollapseShapeOp, mlir::memref::ExpandShapeOp>(def))
        continue;
      auto source = mlir::cast<mlir::MemRefType>(def->getOperand(0).getType());
      if (!source.getLayout().isIdentity() || !type.getLayout().isIdentity())
        continue;
      llvm::SmallVector<int64_t> strides(type.getRank(), 1);
      for (int64_t i = type.getRank() - 2; i >= 0; --i)
        strides[i] = strides[i + 1] * type.getDimSize(i + 1);
      operand.set(mlir::memref::ReinterpretCastOp::create(b, loc, type, def->getOperand(0),
                                                          /*offset=*/0, type.getShape(), strides));
      continue;
    }
    bool isView = mlir::isa_and_present<mlir::ViewLikeOpInterface>(def);
    bool hasViews = llvm::any_of(value.getUsers(), [](mlir::Operation *user) {
      return mlir::isa<mlir::ViewLikeOpInterface>(user);
    });
    if (!isView && !hasViews)
      continue;
    auto plain = mlir::MemRefType::get(type.getShape(), type.getElementType());
    auto mark = b.getI64IntegerAttr(standIns++);
    auto standIn = mlir::memref::AllocOp::create(b, loc, plain, b.getI64IntegerAttr(64));
    standIn->setAttr(kStandInAttr, mark);
    if (!hasZeroInit(op))
      mlir::memref::CopyOp::create(b, loc, value, standIn)->setAttr(kStandInAttr, mark);
    operand.set(standIn);
    b.setInsertionPointAfter(op);
    mlir::memref::CopyOp::create(b, loc, standIn, value)->setAttr(kStandInAttr, mark);
    mlir::memref::DeallocOp::create(b, loc, standIn)->setAttr(kStandInAttr, mark);
  }
}

// After the schedule (its accumulators hoisted): the stand-in's loads and
// stores go to the output itself where the types allow (a contiguous
// output), and the copies and the stand-in go. The hoisting's check is
// about aliases anywhere in the function; between the copies only the
// matmul touches the output. MobileNetV2 copied 33 MB a run this way (72
// copies), most of them chunk buffers that stay in L2: no change to measure
// end to end, but no copy left to pay for either.
void useStandIns(mlir::func::FuncOp func) {
  struct Parts {
    mlir::memref::AllocOp alloc;
    mlir::memref::CopyOp copyIn, copyOut;
    mlir::memref::DeallocOp dealloc;
  };
  llvm::MapVector<int64_t, Parts> standIns;
  func.walk([&](mlir::Operation *op) {
    auto mark = op->getAttrOfType<mlir::IntegerAttr>(kStandInAttr);
    if (!mark)
      return;
    op->removeAttr(kStandInAttr);
    Parts &parts = standIns[mark.getInt()];
    if (auto alloc = mlir::dyn_cast<mlir::memref::AllocOp>(op))
      parts.alloc = alloc;
    else if (auto dealloc = mlir::dyn_cast<mlir::memref::DeallocOp>(op))
      parts.dealloc = dealloc;
    else if (auto copy = mlir::dyn_cast<mlir::memref::CopyOp>(op))
      (parts.alloc && copy.getSource() == parts.alloc.getResult() ? parts.copyOut
                                                                  : parts.copyIn) = copy;
  });
  for (auto &[mark, parts] : standIns) {
    if (!parts.alloc || !parts.copyOut || !parts.dealloc ||
        parts.alloc.getType() != parts.copyOut.getTarget().getType())
      continue;
    mlir::Value output = parts.copyOut.getTarget();
    parts.copyOut.erase();
    if (parts.copyIn)
      parts.copyIn.erase();
    parts.dealloc.erase();
    parts.alloc.getResult().replaceAllUsesWith(output);
    parts.alloc.erase();
  }
}

struct VectorizeMatmulPass : impl::VectorizeMatmulPassBase<VectorizeMatmulPass> {
  using Base::Base;

  void runOnOperation() override {
    mlir::func::FuncOp func = getOperation();
    mlir::MLIRContext *ctx = &getContext();
    std::string body;
    int64_t id = 0;
    llvm::SmallVector<std::tuple<mlir::linalg::FillOp, mlir::Value, mlir::Value>> zeroInits;
    int64_t standIns = 0;
    int64_t bits = resolveVectorBits(vectorBits);
    // A kernel called inside a parallel loop runs on the calling thread.
    int64_t threads = func->hasAttr(kSerialKernelAttr) ? 1 : this->threads.getValue();
    func.walk([&](mlir::linalg::LinalgOp op) {
      bool batched = mlir::isa<mlir::linalg::BatchMatmulOp>(op);
      bool packed = isPackedMatmul(op);
      if (!batched && !packed && !mlir::isa<mlir::linalg::MatmulOp>(op))
        return;
      if (!op.hasPureBufferSemantics() ||
          !llvm::all_of(op->getOperandTypes(), [](mlir::Type t) {
            return mlir::cast<mlir::ShapedType>(t).hasStaticShape();
          }))
        return;
      // Plain (un-transposed, un-broadcast) matmuls only.
      if (!packed && !llvm::all_of(op.getIndexingMapsArray(), [&](mlir::AffineMap map) {
            return map.isProjectedPermutation();
          }))
        return;
      auto a = mlir::cast<mlir::MemRefType>(op->getOperand(0).getType());
      auto b = mlir::cast<mlir::MemRefType>(op->getOperand(1).getType());
      int64_t m = a.getDimSize(a.getRank() - 2), k = a.getDimSize(a.getRank() - 1);
      // A packed B is [N/P, K, P].
      int64_t panel = packed ? b.getDimSize(2) : 0;
      int64_t n = packed ? b.getDimSize(0) * panel : b.getDimSize(b.getRank() - 1);
      int64_t batch = batched ? a.getDimSize(0) : 1;
      // Split across threads first; the slices are scheduled like a matmul.
      std::optional<llvm::SmallVector<int64_t>> slices;
      // A parallel region costs microseconds (fork, join, waking the other
      // thread); tiny_conv_mm's 4x27x64 matmul took 60 us a call split in two
      // and 1.2 us whole. mlp_b1's 1x784x1024 gains from the split.
      // A matmul already inside a parallel loop (a Winograd chunk) is not
      // split again.
      bool split = threads > 1 && batch * m * n * k >= (int64_t(1) << 18) &&
                   !op->getParentOfType<mlir::scf::ForallOp>();
      if (split)
        slices = threadSlices(batch, m, n, batched, threads, bits);
      // A packed matmul's threads take whole panels of B or groups of 8
      // rows (openopt-pack-matmul-weights packs only matmuls that allow one).
      if (packed && split && (!slices || (*slices)[1] % panel != 0)) {
        slices.reset();
        if (auto slice = packedThreadSlice(m, n, panel, threads))
          slices = llvm::SmallVector<int64_t>{slice->first == m ? 0 : slice->first,
                                              slice->second == n ? 0 : slice->second, 0};
      }
      int64_t sliceM = m, sliceN = n;
      if (slices) {
        int64_t offset = batched ? 1 : 0;
        if ((*slices)[offset])
          sliceM = (*slices)[offset];
        if ((*slices)[offset + 1])
          sliceN = (*slices)[offset + 1];
      }
      std::optional<Schedule> schedule;
      if (packed) {
        schedule = packedSchedule(sliceM, sliceN, k, panel, maxTileM, maxTileN, maxTileK, bits);
        if (slices)
          *slices = {(*slices)[0], (*slices)[1] / panel, 0, 0};
      } else {
        schedule = chooseSchedule(sliceM, sliceN, k, batched, maxTileM, maxTileN, maxTileK, bits);
      }
      if (!schedule)
        return;
      preparePlainBuffers(op, standIns);
      op->setAttr(kScheduleAttr, mlir::IntegerAttr::get(mlir::IntegerType::get(ctx, 64), id));
      std::string name = "op" + std::to_string(id);
      body += llvm::formatv("    %{0} = transform.structured.match ops{{[\"{1}\"]} attributes{{{2} = {3} : i64} "
                            "in %f : (!transform.any_op) -> !transform.any_op\n",
                            name, op->getName().getStringRef(), kScheduleAttr, id)
                  .str();
      if (slices) {
        body += llvm::formatv("    %{0}_t, %{0}_forall = transform.structured.tile_using_forall "
                              "%{0} tile_sizes [{1}] : (!transform.any_op) -> "
                              "(!transform.any_op, !transform.any_op)\n",
                              name,
                              llvm::join(llvm::map_range(*slices, [](int64_t v) {
                                           return std::to_string(v);
                                         }),
                                         ", "))
                    .str();
        name += "_t";
      }
      body += tileStep(name, name + "_c", schedule->cacheTiles);
      if (hasZeroInit(op))
        zeroInits.push_back({guardZeroInit(op), op->getOperand(0), op->getOperand(1)});
      body += tileStep(name + "_c", name + "_r", schedule->registerTiles, schedule->registerOrder);
      int64_t width = packed ? panel : schedule->registerTiles[schedule->registerTiles.size() - 2];
      int64_t lanes = bits / 32;
      if (width / lanes == 3) {
        // Three vectors wide: LLVM keeps a vector<48xf32> accumulator as a
        // <64 x float> that it rebuilds element by element around every
        // step of K (40x slower). Cut into one-row, one-vector ops, unrolled
        // row by row, each piece has its own accumulator, and LLVM merges
        // their loads: the three vectors of B for all rows, each row's
        // broadcast of A for its three. Cut by vector only, the eight
        // broadcasts stayed live across the three column blocks, and with
        // the 24 accumulators they spilled.
        int64_t rank = packed ? 4 : schedule->registerTiles.size();
        llvm::SmallVector<int64_t> split(rank, 0);
        split[packed ? 0 : rank - 3] = 1;
        split[rank - 2] = lanes;
        int64_t rows = packed ? schedule->registerTiles[0] : schedule->registerTiles[rank - 3];
        body += tileStep(name + "_r", name + "_v", split);
        body += llvm::formatv("    transform.loop.unroll %{0}_v_loops#1 {{factor = 3} : "
                              "!transform.any_op\n"
                              "    transform.loop.unroll %{0}_v_loops#0 {{factor = {4}} : "
                              "!transform.any_op\n"
                              "    %{0}_u = transform.structured.match ops{{[\"{1}\"]} "
                              "attributes{{{2} = {3} : i64} in %f : (!transform.any_op) -> "
                              "!transform.any_op\n",
                              name, op->getName().getStringRef(), kScheduleAttr, id, rows)
                    .str();
        name += "_u";
      } else {
        name += "_r";
      }
      body += "    transform.structured.vectorize %" + name + " : !transform.any_op\n";
      ++id;
    });
    // Everything else that is big enough runs on all threads too, split
    // along its outer parallel loop; an op the tiling refuses stays serial.
    if (threads > 1) {
      func.walk([&](mlir::linalg::LinalgOp op) {
        if (op->hasAttr(kScheduleAttr) || !op.hasPureBufferSemantics() ||
            op->getParentOfType<mlir::scf::ForallOp>() || isZeroInitGuard(op))
          return;
        std::optional<int64_t> loop = parallelLoop(op, threads);
        if (!loop)
          return;
        op->setAttr(kScheduleAttr, mlir::IntegerAttr::get(mlir::IntegerType::get(ctx, 64), id));
        llvm::SmallVector<std::string> counts(op.getNumLoops(), "0");
        counts[*loop] = std::to_string(threads);
        body += llvm::formatv(
                    "    transform.sequence %f : !transform.any_op failures(suppress) {{\n"
                    "    ^bb0(%g: !transform.any_op):\n"
                    "      %p{0} = transform.structured.match ops{{[\"{1}\"]} attributes{{{2} = {0} : i64} "
                    "in %g : (!transform.any_op) -> !transform.any_op\n"
                    "      %p{0}_t, %p{0}_forall = transform.structured.tile_using_forall %p{0} "
                    "num_threads [{3}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)\n"
                    "    }\n",
                    id, op->getName().getStringRef(), kScheduleAttr, llvm::join(counts, ", "))
                    .str();
        ++id;
      });
    }
    // A matmul left unscheduled reads its output: give it its zeros back.
    func.walk([](mlir::linalg::LinalgOp op) {
      if (hasZeroInit(op))
        materializeZeroInit(op);
    });
    if (id == 0)
      return;
    std::string script =
        "module attributes {transform.with_named_sequence} {\n"
        "  transform.named_sequence @__transform_main(%f: !transform.any_op "
        "{transform.consumed}) {\n" +
        body + kLowering.str() + "    transform.yield\n  }\n}\n";
    mlir::ParserConfig config(ctx);
    auto scheduleModule = mlir::parseSourceString<mlir::ModuleOp>(script, config);
    if (!scheduleModule) {
      func.emitError("internal: the matmul schedule does not parse");
      return signalPassFailure();
    }
    mlir::Operation *entry = scheduleModule->lookupSymbol("__transform_main");
    if (failed(mlir::transform::applyTransformNamedSequence(
            func, entry, *scheduleModule, mlir::transform::TransformOptions())))
      return signalPassFailure();
    for (auto &[guard, a, b] : zeroInits)
      finishZeroInit(guard, a, b);
    useStandIns(func);
    func.walk([](mlir::Operation *op) { op->removeAttr(kScheduleAttr); });
  }
};

} // namespace
} // namespace openopt
