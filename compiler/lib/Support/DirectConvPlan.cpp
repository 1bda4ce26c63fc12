//===- DirectConvPlan.cpp - when a convolution is computed directly -------===//
#include "openopt/Support/DirectConvPlan.h"

#include <algorithm>

namespace openopt {

std::optional<DirectConvPlan> planDirectConv(int64_t channels, int64_t filters, int64_t kh,
                                             int64_t kw, int64_t oh, int64_t ow, bool strided,
                                             int64_t vectorBits) {
  // AVX2's 16 registers hold a 7 x 8 tile at most (7 x 16 needs 14 of its
  // 12 accumulators): one load of the kernel per 7 multiply-adds, and
  // resnet18w48 at 1 thread went 18.3 -> 21.2 ms. Im2col's 6 x 16 tile and
  // Winograd stay faster there.
  // Chunks of three vectors where the filters allow (resnet18w48's 48 to
  // 384): 21 or 24 accumulators a register tile, one load of the kernel per
  // 7 or 8 multiply-adds and a broadcast per 3, against per 2 with 32.
  int64_t chunkFilters = filters % 48 == 0 ? 48 : 32;
  if (vectorBits < 512 || filters % chunkFilters != 0 || channels * kh * kw < 64)
    return std::nullopt;
  // Small maps (resnet's 14x14 and 7x7 stages): each weight is used at most
  // 256 times, so streaming the weights costs about as much as the
  // multiply-adds. Winograd's transformed kernel is 16/9 the size and its
  // transforms go over every tile; im2col's matmul pads the pixels to a
  // multiple of 16 (49 computed as 64). Larger maps keep those routes:
  // resnet's 28x28 stage ran 25% slower direct than as Winograd.
  // Strided, there is no Winograd route and im2col gathers the strided
  // input into a column buffer: resnet's 56 -> 28 stride-2 layer took 0.48
  // ms that way at 1 thread and 0.385 direct.
  if (oh * ow > (strided ? 1024 : 256))
    return std::nullopt;
  // A row's pixels in runs of 3 to 8 (rowTile x 2 or 3 vectors of
  // accumulators fit AVX-512's registers with room for the operands).
  int64_t tile = 8;
  while (tile >= 3 && ow % tile != 0)
    --tile;
  if (tile < 3)
    return std::nullopt;
  // Split by row groups where the input and output outweigh the weights
  // (resnet's stride-2 56 -> 28 layer: 650 + 300 KB against 166 KB of
  // weights; MobileNetV2's 14x14 1x1 layers: 526 KB against 221 KB), so
  // that each thread reads the rows the op before it computed on the same
  // core and the op after it finds its rows there too; by filter chunks
  // where the weights do (resnet's 7x7 stage: 5.3 MB of weights for 200 KB
  // of input and output).
  // (The plan knows only whether the stride is above 1: stride 2 on both
  // axes is assumed, ResNet's and MobileNet's; it weighs the choice, the
  // result is right either way.)
  int64_t strideH = strided ? 2 : 1;
  int64_t inputBytes = (oh * strideH + kh - 1) * (ow * strideH + kw - 1) * channels * 4;
  int64_t outputBytes = oh * ow * filters * 4;
  int64_t weightBytes = filters * channels * kh * kw * 4;
  bool rowsOuter = inputBytes + outputBytes > weightBytes;
  // At least 8 units of work for the parallel loop (4 per thread on two):
  // with only 3 chunks of filters (96), one of two threads did two. Split
  // by rows, at least two row groups.
  int64_t chunks = filters / chunkFilters, groups = 1;
  while ((chunks * groups < 8 || (rowsOuter && groups < 2)) && groups < oh) {
    ++groups;
    while (oh % groups != 0)
      ++groups;
  }
  // The largest divisor of the channels up to 128: 16 or 24 KB of a tap's
  // weights, a third or a half of L1 beside the input rows.
  int64_t block = std::min<int64_t>(channels, 128);
  while (channels % block != 0)
    --block;
  return DirectConvPlan{tile, chunkFilters, groups, rowsOuter, block};
}

} // namespace openopt
