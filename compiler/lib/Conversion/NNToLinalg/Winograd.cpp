//===- Winograd.cpp - 3x3 convolutions as Winograd F(2x2, 3x3) ------------===//
//
// Each 2x2 block of outputs is computed from the 4x4 block of (padded) input
// around it: the block is transformed (V = Bt d B, additions only), multiplied
// element by element with the transformed kernel (U = G g Gt, at compile
// time) and summed over input channels, then transformed back (Y = At M A).
// Summed over channels, the 16 element-wise products are 16 matmuls
// U[k] [F, C] x V[k] [C, tiles]: 16 multiply-adds per 4 outputs and channel
// where a direct 3x3 convolution needs 36.
//
// The lowering, per image, is a parallel loop over chunks of tile rows
// (each chunk's intermediates stay in the L2 cache):
//   planes  the chunk's rows of the input's four polyphase planes with the
//           padding applied, so that reading a 4x4 block at a stride-2
//           position is a unit-stride read of a plane;
//   V       the input transform, rows then columns ([4, 4, C, tiles]);
//   M       one batch_matmul [16, F, C] x [16, C, tiles];
//   Y       the output transform, rows then columns; the second pass adds
//           the bias and writes each 2x2 block into place.
// Every step of a chunk runs on one thread, which also applies the
// element-wise ops that follow (openopt-fuse-elementwise) to the rows it
// wrote: on two cores without a shared cache, each step split its own way
// handed half of its input over from the other core.
// Each transform pass has the transform entry as an outer loop, so which
// entries it combines is loop-invariant and the inner loop over tiles is
// plain unit-stride vector code. The transforms' coefficients are 0 and
// +-1, so the rounding error is that of a few extra additions; the kernel's
// (G has halves) is computed in double at compile time.
//
//===----------------------------------------------------------------------===//
#include "Winograd.h"

#include "openopt/Support/MatmulZeroInit.h"

#include "LoweringUtils.h"

#include "openopt/Dialect/NN/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"


using namespace mlir;

namespace openopt::lowering {
namespace {


Value isIndex(OpBuilder &b, Location loc, Value v, int64_t k) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, indexConstant(b, loc, k));
}

// (Bt x)[i] for the vector x whose entry k read(k) returns. Every row of
// Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] has two non-zero entries:
// x[first] + x[second] for row 1, x[first] - x[second] for the others, with
// first = (0, 1, 2, 1) and second = (2, 2, 1, 3).
Value inputTransformEntry(OpBuilder &b, Location loc, Value i,
                          llvm::function_ref<Value(Value)> read) {
  Value one = indexConstant(b, loc, 1), two = indexConstant(b, loc, 2),
        three = indexConstant(b, loc, 3);
  Value first = arith::SelectOp::create(b, loc, isIndex(b, loc, i, 3), one, i);
  Value second = arith::SelectOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, i, one), two,
      arith::SelectOp::create(b, loc, isIndex(b, loc, i, 2), one, three));
  Value x = read(first), y = read(second);
  return arith::SelectOp::create(b, loc, isIndex(b, loc, i, 1),
                                 arith::AddFOp::create(b, loc, x, y),
                                 arith::SubFOp::create(b, loc, x, y));
}

// U[k = 4 * xi + nu][f][c] = (G g[f][c] Gt)[xi][nu], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1].
std::vector<float> transformedKernel(const std::vector<float> &g, int64_t filters,
                                     int64_t channels) {
  static constexpr double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  std::vector<float> u(16 * filters * channels);
  for (int64_t f = 0; f < filters; ++f)
    for (int64_t c = 0; c < channels; ++c) {
      const float *k = &g[(f * channels + c) * 9];
      double rows[4][3] = {};
      for (int xi = 0; xi < 4; ++xi)
        for (int j = 0; j < 3; ++j)
          for (int i = 0; i < 3; ++i)
            rows[xi][j] += G[xi][i] * k[i * 3 + j];
      for (int xi = 0; xi < 4; ++xi)
        for (int nu = 0; nu < 4; ++nu) {
          double sum = 0;
          for (int j = 0; j < 3; ++j)
            sum += rows[xi][j] * G[nu][j];
          u[((xi * 4 + nu) * filters + f) * channels + c] = static_cast<float>(sum);
        }
    }
  return u;
}

} // namespace

std::optional<WinogradTiles> planWinograd(int64_t channels, int64_t filters, int64_t oh,
                                          int64_t ow) {
  // Few channels: the transforms (per input and output element) outweigh
  // the matmul they shorten. Filters not a multiple of 8 get a one-row
  // register tile.
  if (channels < 16 || filters < 16 || filters % 8 != 0)
    return std::nullopt;
  int64_t rows = (oh + 1) / 2, cols = (ow + 1) / 2;
  // A chunk's transformed input and products (16 x (C + F) floats per tile)
  // should stay in the L2 cache between the transforms and the matmul.
  int64_t tileBytes = 16 * (channels + filters) * 4, budget = int64_t(768) << 10;
  // The grid that wastes least (at most 8 extra rows; columns a multiple of
  // 8, so that the transforms' rows have no scalar remainder), cut into
  // chunks of whole tile rows whose tile count is a multiple of 16 (one
  // AVX-512 vector of tiles). Among equals, the smallest chunk of at least
  // 32 tiles: larger chunks were slower (a loop of a few tile rows around
  // each transform row, which LLVM unrolls) and took longer to compile.
  std::optional<WinogradTiles> best;
  auto score = [](const WinogradTiles &t) {
    int64_t tiles = t.chunkRows * t.cols;
    return std::make_tuple(-t.rows * t.cols, tiles >= 32, -tiles);
  };
  for (int64_t r = rows; r <= rows + 8; ++r)
    for (int64_t c = (cols + 7) / 8 * 8; c <= cols + 16; c += 8)
      for (int64_t chunk = 1; chunk <= r; ++chunk) {
        if (r % chunk || (chunk * c) % 16 || (chunk > 1 && chunk * c * tileBytes > budget))
          continue;
        WinogradTiles t{r, c, chunk};
        if (!best || score(t) > score(*best))
          best = t;
      }
  // Outputs computed past the edge are wasted work: at most about a third.
  if (!best || best->rows * best->cols * 4 * 100 > oh * ow * 135)
    return std::nullopt;
  return best;
}

Value winogradConv2D(OpBuilder &b, Location loc, Value image, const std::vector<float> &weights,
                     Value bias, int64_t padTop, int64_t padLeft, int64_t filters, int64_t oh,
                     int64_t ow, WinogradTiles tiles) {
  auto imageType = cast<RankedTensorType>(image.getType());
  int64_t c = imageType.getDimSize(0), h = imageType.getDimSize(1), w = imageType.getDimSize(2);
  Type element = imageType.getElementType();
  int64_t rows = tiles.rows, cols = tiles.cols, chunk = tiles.chunkRows;
  MLIRContext *ctx = b.getContext();

  // Block (ty, tx) covers padded rows 2ty..2ty+3 and columns 2tx..2tx+3:
  // element (r, s) is plane (r % 2, s % 2) at (ty + r / 2, tx + s / 2).
  Value image4 = reshapeTo(b, loc, image, {1, c, h, w});
  auto kernelType = RankedTensorType::get({16, filters, c}, element);
  auto kernelAttr = nn::makeFloatConstant(kernelType, transformedKernel(weights, filters, c),
                                          "winograd_kernel");
  Value u = arith::ConstantOp::create(b, loc, cast<TypedAttr>(kernelAttr));

  // Chunks of `chunk` tile rows are independent: a parallel loop over them.
  // Where the tile rows cover the output rows exactly and the width is even,
  // each chunk writes its rows of the output itself, the columns past the
  // edge left out, and the loop's result is the output [1, F, OH, OW]: an
  // element-wise consumer (ReLU, a residual add) then fuses into the loop
  // (openopt-fuse-elementwise) and runs on the rows that the same thread
  // wrote. Otherwise the loop writes the whole tile grid, cut afterwards.
  bool direct = 2 * rows == oh && ow % 2 == 0;
  int64_t outCols = direct ? ow / 2 : cols;
  auto loopType = direct ? RankedTensorType::get({1, filters, oh, ow}, element)
                         : RankedTensorType::get({filters, rows, 2, cols, 2}, element);
  auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(rows / chunk)},
                                      ValueRange{emptyTensor(b, loc, loopType)}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value firstRow = arith::MulIOp::create(b, loc, forall.getInductionVar(0),
                                         indexConstant(b, loc, chunk));
  // The chunk's plane rows (one more than its tile rows) are copied here,
  // by the thread that transforms them, rather than all planes in a pass
  // before the loop split another way: on two threads that handed half of
  // each thread's input over from the other core.
  Value planesChunk =
      polyphasePlaneRows(b, loc, image4, firstRow, chunk + 1, padTop, padLeft, cols + 1);

  // Input transform V = Bt d B in two passes, rows then columns. The
  // transform index is an outer loop of each pass, so the entries it picks
  // are loop-invariant and the inner loop over tiles is unit-stride.
  Value two = indexConstant(b, loc, 2);
  Value rowHalf = indexedGenerate(
      b, loc, RankedTensorType::get({4, 4, c, chunk, cols}, element),
      [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
        // at = (xi, s, c, ty, tx): (Bt d)[xi][s] of block (ty, tx), where
        // d[r][s] is plane (r % 2, s % 2) at (ty + r / 2, tx + s / 2).
        Value x = arith::AddIOp::create(nb, nloc, at[4], arith::DivUIOp::create(nb, nloc, at[1], two));
        Value columnPhase = arith::RemUIOp::create(nb, nloc, at[1], two);
        return inputTransformEntry(nb, nloc, at[0], [&](Value r) {
          Value phase = arith::AddIOp::create(
              nb, nloc, arith::MulIOp::create(nb, nloc, arith::RemUIOp::create(nb, nloc, r, two), two),
              columnPhase);
          Value y = arith::AddIOp::create(nb, nloc, at[3], arith::DivUIOp::create(nb, nloc, r, two));
          return tensor::ExtractOp::create(
                     nb, nloc, planesChunk, ValueRange{indexConstant(nb, nloc, 0), at[2], phase, y, x})
              .getResult();
        });
      });
  Value v = indexedGenerate(
      b, loc, RankedTensorType::get({4, 4, c, chunk, cols}, element),
      [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
        // at = (xi, nu, c, ty, tx): (Bt d B)[xi][nu].
        return inputTransformEntry(nb, nloc, at[1], [&](Value s) {
          return tensor::ExtractOp::create(nb, nloc, rowHalf, ValueRange{at[0], s, at[2], at[3], at[4]})
              .getResult();
        });
      });

  int64_t chunkTiles = chunk * cols;
  auto productType = RankedTensorType::get({16, filters, chunkTiles}, element);
  auto product = linalg::BatchMatmulOp::create(
      b, loc, TypeRange{productType}, ValueRange{u, reshapeTo(b, loc, v, {16, c, chunkTiles})},
      ValueRange{zeroAccumulator(b, loc, productType)});
  product->setAttr(kZeroInitAttr, b.getUnitAttr()); // MatmulZeroInit.h
  Value m = product.getResult(0);
  m = reshapeTo(b, loc, m, {4, 4, filters, chunk, cols});

  // Output transform Y = At M A, rows then columns; the second pass writes
  // the 2x2 blocks into place. (At x)[0] = x1 + (x0 + x2) and
  // (At x)[1] = x1 - (x2 + x3).
  auto outputRow = [](OpBuilder &nb, Location nloc, Value which, llvm::function_ref<Value(int)> x) {
    Value first = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::eq, which,
                                        indexConstant(nb, nloc, 0));
    Value plus = arith::AddFOp::create(nb, nloc, x(0), x(2));
    Value minus = arith::NegFOp::create(nb, nloc, arith::AddFOp::create(nb, nloc, x(2), x(3)));
    return arith::AddFOp::create(nb, nloc, x(1),
                                 arith::SelectOp::create(nb, nloc, first, plus, minus))
        .getResult();
  };
  Value rowsDone = indexedGenerate(
      b, loc, RankedTensorType::get({2, 4, filters, chunk, cols}, element),
      [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
        // at = (a, nu, f, ty, tx)
        return outputRow(nb, nloc, at[0], [&](int i) {
          return tensor::ExtractOp::create(
                     nb, nloc, m, ValueRange{indexConstant(nb, nloc, i), at[1], at[2], at[3], at[4]})
              .getResult();
        });
      });
  auto chunkOutType = RankedTensorType::get({filters, chunk, 2, outCols, 2}, element);
  Value chunkOut = indexedGenerate(
      b, loc, chunkOutType, [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
        // at = (f, ty, a, tx, b)
        Value out = outputRow(nb, nloc, at[4], [&](int j) {
          return tensor::ExtractOp::create(
                     nb, nloc, rowsDone,
                     ValueRange{at[2], indexConstant(nb, nloc, j), at[0], at[1], at[3]})
              .getResult();
        });
        if (bias)
          out = arith::AddFOp::create(nb, nloc, out,
                                      tensor::ExtractOp::create(nb, nloc, bias, ValueRange{at[0]}));
        return out;
      });
  SmallVector<OpFoldResult> outOffsets, outSizes;
  if (direct) {
    chunkOut = reshapeTo(b, loc, chunkOut, {1, filters, 2 * chunk, ow});
    outOffsets = {b.getIndexAttr(0), b.getIndexAttr(0),
                  arith::MulIOp::create(b, loc, firstRow, two).getResult(), b.getIndexAttr(0)};
  } else {
    outOffsets = {b.getIndexAttr(0), firstRow, b.getIndexAttr(0), b.getIndexAttr(0),
                  b.getIndexAttr(0)};
  }
  for (int64_t d : cast<RankedTensorType>(chunkOut.getType()).getShape())
    outSizes.push_back(b.getIndexAttr(d));
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, chunkOut, forall.getRegionIterArgs()[0],
                                        outOffsets, outSizes,
                                        SmallVector<OpFoldResult>(outSizes.size(), b.getIndexAttr(1)));
  b.setInsertionPointAfter(forall);

  if (direct)
    return reshapeTo(b, loc, forall.getResult(0), {filters, oh, ow});
  Value out = reshapeTo(b, loc, forall.getResult(0), {filters, 2 * rows, 2 * cols});
  if (2 * rows == oh && 2 * cols == ow)
    return out;
  SmallVector<OpFoldResult> zeros(3, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(filters), b.getIndexAttr(oh),
                                     b.getIndexAttr(ow)};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, RankedTensorType::get({filters, oh, ow}, element),
                                        out, zeros, sizes, strides);
}

} // namespace openopt::lowering
