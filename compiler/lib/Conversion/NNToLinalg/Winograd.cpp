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
//   V       the input transform ([16, C, tiles]);
//   M       one batch_matmul [16, F, C] x [16, C, tiles];
//   Y       the output transform with the bias, each 2x2 block written
//           into place.
// Every step of a chunk runs on one thread, which also applies the
// element-wise ops that follow (openopt-fuse-elementwise) to the rows it
// wrote: on two cores without a shared cache, each step split its own way
// handed half of its input over from the other core.
// Both transforms work on vectors over a run of blocks (16 with AVX-512,
// else 8) and compute all 16 entries of the run in registers: one read and
// one write per entry. As linalg generics, rows then columns, each entry
// was a pass of its own over the chunk, with the half-transformed values
// stored between the two passes. The transforms' coefficients are 0 and
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
#include "mlir/Dialect/Vector/IR/VectorOps.h"


using namespace mlir;

namespace openopt::lowering {
namespace {


// (Bt x)[i] for the four vectors x: every row of
// Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] has two non-zero entries.
Value inputTransformRow(OpBuilder &b, Location loc, ArrayRef<Value> x, int i) {
  switch (i) {
  case 0:
    return arith::SubFOp::create(b, loc, x[0], x[2]);
  case 1:
    return arith::AddFOp::create(b, loc, x[1], x[2]);
  case 2:
    return arith::SubFOp::create(b, loc, x[2], x[1]);
  default:
    return arith::SubFOp::create(b, loc, x[1], x[3]);
  }
}

// (At x)[a] for the four vectors x: x1 + (x0 + x2) and x1 - (x2 + x3).
Value outputTransformRow(OpBuilder &b, Location loc, ArrayRef<Value> x, int a) {
  return a == 0 ? arith::AddFOp::create(b, loc, x[1], arith::AddFOp::create(b, loc, x[0], x[2]))
                      .getResult()
                : arith::SubFOp::create(b, loc, x[1], arith::AddFOp::create(b, loc, x[2], x[3]))
                      .getResult();
}

Value readVector(OpBuilder &b, Location loc, VectorType type, Value source, ArrayRef<Value> at) {
  Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  return vector::TransferReadOp::create(b, loc, type, source, at, pad, ArrayRef<bool>{true});
}

Value writeVector(OpBuilder &b, Location loc, Value vector, Value dest, ArrayRef<Value> at) {
  return vector::TransferWriteOp::create(b, loc, vector, dest, at, ArrayRef<bool>{true})
      .getResult();
}

// V = Bt d B of every block of the chunk, [16, C, chunk * cols] with entry
// k = 4 xi + nu, from the chunk's planes [1, C, 4, chunk + 1, cols + 1]:
// element (r, s) of block (ty, tx) is plane (r % 2, s % 2) at
// (ty + r / 2, tx + s / 2). Per channel, tile row and run of `lanes`
// blocks, the 16 elements are read as vectors over the blocks and all 16
// entries computed in registers.
Value inputTransform(OpBuilder &b, Location loc, Value planes, int64_t channels, int64_t chunk,
                     int64_t cols, int64_t lanes) {
  Type element = cast<RankedTensorType>(planes.getType()).getElementType();
  auto vectorType = VectorType::get({lanes}, element);
  auto vType = RankedTensorType::get({16, channels, chunk * cols}, element);
  return loopNest(
      b, loc, {indexConstant(b, loc, channels), indexConstant(b, loc, chunk)},
      ValueRange{emptyTensor(b, loc, vType)},
      [&](OpBuilder &nb, Location nloc, ValueRange ivs, ValueRange args) {
        Value ch = ivs[0], ty = ivs[1];
        return forLoop(
            nb, nloc, indexConstant(nb, nloc, 0), indexConstant(nb, nloc, cols),
            indexConstant(nb, nloc, lanes), args,
            [&](OpBuilder &xb, Location xloc, ValueRange txIv, ValueRange acc) {
              Value tx = txIv[0], zero = indexConstant(xb, xloc, 0);
              Value t[4][4];
              for (int s = 0; s < 4; ++s) {
                Value d[4];
                for (int r = 0; r < 4; ++r)
                  d[r] = readVector(xb, xloc, vectorType, planes,
                                    {zero, ch, indexConstant(xb, xloc, (r % 2) * 2 + s % 2),
                                     plusConstant(xb, xloc, ty, r / 2),
                                     plusConstant(xb, xloc, tx, s / 2)});
                for (int xi = 0; xi < 4; ++xi)
                  t[xi][s] = inputTransformRow(xb, xloc, d, xi);
              }
              Value column = arith::AddIOp::create(xb, xloc, scaledIndex(xb, xloc, ty, cols, 0), tx);
              Value v = acc[0];
              for (int xi = 0; xi < 4; ++xi)
                for (int nu = 0; nu < 4; ++nu)
                  v = writeVector(xb, xloc, inputTransformRow(xb, xloc, t[xi], nu), v,
                                  {indexConstant(xb, xloc, 4 * xi + nu), ch, column});
              return SmallVector<Value>{v};
            });
      })[0];
}

// Y = At M B of every block (M [16, F, chunk * cols], entry k = 4 xi + nu)
// plus the bias, written as the chunk's output rows [F, 2 * chunk,
// 2 * outCols]: block (ty, tx) is rows 2 ty + a, columns 2 tx + b. Per
// filter, tile row and run of `lanes` blocks, the 16 entries are read as
// vectors over the blocks; each output row's two columns are interleaved
// into one vector of 2 * lanes values. Blocks past `outCols` are not
// written.
Value outputTransform(OpBuilder &b, Location loc, Value m, Value bias, int64_t filters,
                      int64_t chunk, int64_t cols, int64_t outCols, int64_t lanes) {
  Type element = cast<RankedTensorType>(m.getType()).getElementType();
  auto vectorType = VectorType::get({lanes}, element);
  auto outType = RankedTensorType::get({filters, 2 * chunk, 2 * outCols}, element);
  return loopNest(
      b, loc, {indexConstant(b, loc, filters), indexConstant(b, loc, chunk)},
      ValueRange{emptyTensor(b, loc, outType)},
      [&](OpBuilder &nb, Location nloc, ValueRange ivs, ValueRange args) {
        Value f = ivs[0], ty = ivs[1];
        Value shift;
        if (bias)
          shift = vector::BroadcastOp::create(
              nb, nloc, vectorType, tensor::ExtractOp::create(nb, nloc, bias, ValueRange{f}));
        return forLoop(
            nb, nloc, indexConstant(nb, nloc, 0), indexConstant(nb, nloc, outCols),
            indexConstant(nb, nloc, lanes), args,
            [&](OpBuilder &xb, Location xloc, ValueRange txIv, ValueRange acc) {
              Value tx = txIv[0];
              Value column = arith::AddIOp::create(xb, xloc, scaledIndex(xb, xloc, ty, cols, 0), tx);
              Value rowsDone[2][4];
              for (int nu = 0; nu < 4; ++nu) {
                Value x[4];
                for (int xi = 0; xi < 4; ++xi)
                  x[xi] = readVector(xb, xloc, vectorType, m,
                                     {indexConstant(xb, xloc, 4 * xi + nu), f, column});
                for (int a = 0; a < 2; ++a)
                  rowsDone[a][nu] = outputTransformRow(xb, xloc, x, a);
              }
              Value out = acc[0];
              Value outColumn = scaledIndex(xb, xloc, tx, 2, 0);
              for (int a = 0; a < 2; ++a) {
                Value y[2];
                for (int c = 0; c < 2; ++c) {
                  y[c] = outputTransformRow(xb, xloc, rowsDone[a], c);
                  if (shift)
                    y[c] = arith::AddFOp::create(xb, xloc, y[c], shift);
                }
                Value pairs = vector::InterleaveOp::create(xb, xloc, y[0], y[1]);
                Value row = arith::AddIOp::create(xb, xloc, scaledIndex(xb, xloc, ty, 2, 0),
                                                  indexConstant(xb, xloc, a));
                // The last run may reach past outCols: its write is masked.
                bool whole = outCols % lanes == 0;
                out = vector::TransferWriteOp::create(xb, xloc, pairs, out,
                                                      ValueRange{f, row, outColumn},
                                                      ArrayRef<bool>{whole})
                          .getResult();
              }
              return SmallVector<Value>{out};
            });
      })[0];
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
                     int64_t ow, WinogradTiles tiles, int64_t vectorBits) {
  auto imageType = cast<RankedTensorType>(image.getType());
  int64_t c = imageType.getDimSize(0), h = imageType.getDimSize(1), w = imageType.getDimSize(2);
  Type element = imageType.getElementType();
  int64_t rows = tiles.rows, cols = tiles.cols, chunk = tiles.chunkRows;

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

  // Vectors over runs of blocks: 16 where the tile columns allow and the
  // target has AVX-512 (cols is a multiple of 8).
  int64_t lanes = vectorBits >= 512 && cols % 16 == 0 ? 16 : 8;
  Value v = inputTransform(b, loc, planesChunk, c, chunk, cols, lanes);

  int64_t chunkTiles = chunk * cols;
  auto productType = RankedTensorType::get({16, filters, chunkTiles}, element);
  auto product = linalg::BatchMatmulOp::create(
      b, loc, TypeRange{productType}, ValueRange{u, v},
      ValueRange{zeroAccumulator(b, loc, productType)});
  product->setAttr(kZeroInitAttr, b.getUnitAttr()); // MatmulZeroInit.h
  Value chunkOut = outputTransform(b, loc, product.getResult(0), bias, filters, chunk, cols,
                                   outCols, lanes);
  SmallVector<OpFoldResult> outOffsets, outSizes;
  if (direct) {
    chunkOut = reshapeTo(b, loc, chunkOut, {1, filters, 2 * chunk, ow});
    outOffsets = {b.getIndexAttr(0), b.getIndexAttr(0), scaledIndex(b, loc, firstRow, 2, 0),
                  b.getIndexAttr(0)};
  } else {
    chunkOut = reshapeTo(b, loc, chunkOut, {filters, chunk, 2, outCols, 2});
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
