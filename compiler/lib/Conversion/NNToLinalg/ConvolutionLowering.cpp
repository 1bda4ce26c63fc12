//===- ConvolutionLowering.cpp - Conv/ConvTranspose to im2col + matmul ----===//
//
// Conv becomes a gather of the (padded) input into columns, [K, P] with
// K = C/group * kernel size and P = output pixels, followed by the matmul
// W[F, K] x col[K, P] that the CPU schedule tiles and vectorizes. A 1x1
// stride-1 convolution needs no gather: the input already is col. Three
// routes skip the gather where they pay: Winograd F(2x2, 3x3) for 3x3
// stride-1 convolutions (Winograd.h) and, with AVX-512, a direct
// channels-last convolution for small maps and strided layers
// (DirectConv.h) and a sum in registers for images of few channels
// (FewChannelConv.h). A grouped convolution with 16 or more channels a
// group is one group-1 convolution per group.
// ConvTranspose is the convolution of the stride-dilated, re-padded input
// with the flipped, channel-swapped kernel.
//
// A channels-last Conv ([N, H, W, C] by [KH, KW, C, F], group 1) gathers
// contiguous runs of the input (KW*C values per kernel row; C per tap when
// dilated) into col [N*OH*OW, KH*KW*C] and multiplies by the weight viewed as
// [KH*KW*C, F]: one matmul for the whole batch, whose result already is
// [N, OH, OW, F].
//
//===----------------------------------------------------------------------===//
#include "DepthwiseChannelsLast.h"
#include "DirectConv.h"
#include "FewChannelConv.h"
#include "Im2col.h"
#include "LoweringUtils.h"
#include "Patterns.h"
#include "PointwiseChannelsLast.h"
#include "Winograd.h"

#include "openopt/Dialect/NN/ConstantData.h"
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

// Depthwise output rows at least this wide are computed row by row (the
// vector loop's remainder is small); narrower ones over flattened rows.
constexpr int64_t kWideRow = 32;

// A depthwise convolution's weight [F, 1, KH, KW] as [F, KH, KW].
Value taps(OpBuilder &b, Location loc, Value weight) {
  auto shape = typeOf(weight).getShape();
  return reshapeTo(b, loc, weight, {shape[0], shape[2], shape[3]});
}

// Inside a generic's body: bias[f] (or 0) + sum over the taps (y, x) of
// read(y, x, c) * taps[f, y, x], where c is the input channel of output
// channel f (each input channel has `multiplier` output channels).
Value sumOfTaps(OpBuilder &b, Location loc, Value f, Value bias, Value weightTaps,
                int64_t multiplier,
                llvm::function_ref<Value(int64_t y, int64_t x, Value channel)> read) {
  auto wType = typeOf(weightTaps);
  Value channel = multiplier == 1 ? f
                                  : arith::DivUIOp::create(b, loc, f, indexConstant(b, loc, multiplier))
                                        .getResult();
  Value acc = bias ? tensor::ExtractOp::create(b, loc, bias, ValueRange{f}).getResult()
                   : scalarConstant(b, loc, wType.getElementType(), 0.0);
  for (int64_t y = 0; y < wType.getDimSize(1); ++y)
    for (int64_t x = 0; x < wType.getDimSize(2); ++x) {
      Value in = read(y, x, channel);
      Value w = tensor::ExtractOp::create(
          b, loc, weightTaps, ValueRange{f, indexConstant(b, loc, y), indexConstant(b, loc, x)});
      acc = math::FmaOp::create(b, loc, in, w, acc);
    }
  return acc;
}

// Narrow rows: output position p of the flattened [OH, rowWidth] plane reads
// `flatInput` [N, C, *] at p + offsetOf(y, x) for tap (y, x): one long
// unit-stride loop instead of rows too short to fill the vectors. The last
// rowWidth - OW columns of each row are discarded by a slice.
Value sumTapsOverFlatRows(OpBuilder &b, Location loc, Value flatInput, Value weightTaps,
                          Value bias, int64_t rowWidth, RankedTensorType resultType,
                          llvm::function_ref<int64_t(int64_t y, int64_t x)> offsetOf) {
  int64_t n = resultType.getDimSize(0), f = resultType.getDimSize(1);
  int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t multiplier = f / typeOf(flatInput).getDimSize(1);
  auto planeType = RankedTensorType::get({n, f, oh * rowWidth}, resultType.getElementType());
  Value plane = indexedGenerate(
      b, loc, planeType, [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
        return sumOfTaps(nb, nloc, at[1], bias, weightTaps, multiplier,
                         [&](int64_t y, int64_t x, Value channel) -> Value {
                           Value p = plusConstant(nb, nloc, at[2], offsetOf(y, x));
                           return tensor::ExtractOp::create(nb, nloc, flatInput,
                                                            ValueRange{at[0], channel, p});
                         });
      });
  Value rows = reshapeTo(b, loc, plane, {n, f, oh, rowWidth});
  SmallVector<OpFoldResult> zeros(4, b.getIndexAttr(0)), ones(4, b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(n), b.getIndexAttr(f), b.getIndexAttr(oh),
                                     b.getIndexAttr(ow)};
  return tensor::ExtractSliceOp::create(b, loc, resultType, rows, zeros, sizes, ones);
}

// Stride 2 (dilation 1): a stride-2 read does not vectorize well, so the
// (implicitly zero-padded) input is first split into its four polyphase planes,
// plane[py][px][i][j] = padded[2i + py][2j + px] (one pass, like the pad);
// tap (ky, kx) of output (oy, ox) is then plane[ky%2][kx%2][oy + ky/2][ox + kx/2],
// contiguous in ox.
Value depthwiseConv2DStride2(OpBuilder &b, Location loc, Value input, Value weightTaps,
                             Value bias, const Conv2DParams &p, RankedTensorType resultType) {
  auto inType = typeOf(input), wType = typeOf(weightTaps);
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  int64_t f = wType.getDimSize(0), kh = wType.getDimSize(1), kw = wType.getDimSize(2);
  int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3), multiplier = f / c;
  // Plane sizes: every tap of every output in range, plus one row so that
  // the flattened rows' overrun (up to (KW-1)/2 elements) stays in bounds.
  int64_t planeH = oh + (kh - 1) / 2 + 1, planeW = ow + (kw - 1) / 2;
  // The padding is applied while splitting (zero outside the input): one
  // pass over the input instead of two.
  Value phases = polyphasePlanes(b, loc, input, p.pads[0], p.pads[1], planeH, planeW);
  // Wide rows: a generic over the output itself. The output stays dense, so
  // a following Clip or ReLU fuses into it and the next 1x1 convolution
  // reads it without a copy.
  if (ow >= kWideRow) {
    return indexedGenerate(
        b, loc, resultType, [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
          return sumOfTaps(nb, nloc, at[1], bias, weightTaps, multiplier,
                           [&](int64_t y, int64_t x, Value channel) -> Value {
                             return tensor::ExtractOp::create(
                                 nb, nloc, phases,
                                 ValueRange{at[0], channel,
                                            indexConstant(nb, nloc, (y % 2) * 2 + x % 2),
                                            plusConstant(nb, nloc, at[2], y / 2),
                                            plusConstant(nb, nloc, at[3], x / 2)});
                           });
        });
  }
  int64_t planeSize = planeH * planeW;
  Value flatPhases = reshapeTo(b, loc, phases, {n, c, 4 * planeSize});
  return sumTapsOverFlatRows(b, loc, flatPhases, weightTaps, bias, planeW, resultType,
                             [&](int64_t y, int64_t x) {
                               return ((y % 2) * 2 + x % 2) * planeSize + (y / 2) * planeW + x / 2;
                             });
}

// A depthwise 2-D convolution (one input channel per group: output channel
// f reads input channel f / (F / C)) as one parallel generic over the output
// [N, F, OH, OW] whose body sums the KH*KW taps itself. Output width is the
// innermost loop, so LLVM vectorizes along it with the taps unrolled and the
// accumulator in a register; the im2col + batched matmul route ran these at
// a few GFLOP/s. Being all-parallel, the generic also takes the following
// element-wise ops (bias, ReLU6) into its body.
//
// Narrow outputs (under kWideRow; a 14-wide row fills one AVX-512 vector and
// leaves the rest to scalar code) at stride 1 are computed over whole padded
// rows of the flattened input instead (tap (ky, kx) at ky*dh*Wp + kx*dw); the
// input gets one more zero row at the bottom so that the last row's window
// stays in bounds.
Value depthwiseConv2D(OpBuilder &b, Location loc, Value input, Value weight, Value bias,
                      const Conv2DParams &p, RankedTensorType resultType) {
  auto inType = typeOf(input);
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  int64_t multiplier = resultType.getDimSize(1) / c, ow = resultType.getDimSize(3);
  // Stride 2 into a map narrower than one AVX-512 vector, with many
  // channels (MobileNet's 14 -> 7 layer in NCHW): channels-last between two
  // transposes, vectorized along the channels. dwconv3x3s2_mbv2_14_c576 ran
  // 0.077 ms at 1 thread as polyphase planes with 7-wide rows, 0.045 this
  // way (ORT 0.061); with AVX2 forced 0.079 and 0.054. At stride 1 (14x14)
  // the flattened rows below stay faster at 1 thread (0.084 against 0.104
  // ms).
  bool stride2 = p.strides[0] == 2 && p.strides[1] == 2;
  if (stride2 && multiplier == 1 && ow < 16 && c % 16 == 0 && c >= 64 &&
      typeOf(weight).hasStaticShape() && inType.hasStaticShape()) {
    auto outShape = resultType.getShape();
    auto nhwcType = RankedTensorType::get({outShape[0], outShape[2], outShape[3], outShape[1]},
                                          resultType.getElementType());
    Value nhwc = depthwiseConv2DChannelsLast(
        b, loc, permuted(b, loc, input, {0, 2, 3, 1}), permuted(b, loc, weight, {2, 3, 1, 0}),
        Value(), {p.strides[0], p.strides[1]}, {p.dilations[0], p.dilations[1]},
        {p.pads[0], p.pads[1], p.pads[2], p.pads[3]}, nhwcType);
    return permuted(b, loc, nhwc, {0, 3, 1, 2}, bias, 1);
  }
  Value weightTaps = taps(b, loc, weight);
  if (p.strides[0] == 2 && p.strides[1] == 2 && p.dilations[0] == 1 && p.dilations[1] == 1)
    return depthwiseConv2DStride2(b, loc, input, weightTaps, bias, p, resultType);
  bool flat = p.strides[0] == 1 && p.strides[1] == 1 && ow < kWideRow;
  Value padded = padConstant(b, loc, input, {0, 0, p.pads[0], p.pads[1]},
                             {0, 0, p.pads[2] + (flat ? 1 : 0), p.pads[3]}, 0.0);
  if (flat) {
    auto paddedShape = typeOf(padded).getShape();
    int64_t rowWidth = paddedShape[3];
    Value flatInput = reshapeTo(b, loc, padded, {n, c, paddedShape[2] * rowWidth});
    return sumTapsOverFlatRows(b, loc, flatInput, weightTaps, bias, rowWidth, resultType,
                               [&](int64_t y, int64_t x) {
                                 return y * p.dilations[0] * rowWidth + x * p.dilations[1];
                               });
  }
  return indexedGenerate(
      b, loc, resultType, [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
        auto scaled = [&](Value index, int64_t stride, int64_t offset) {
          return scaledIndex(nb, nloc, index, stride, offset);
        };
        SmallVector<Value> cols;
        for (int64_t x = 0; x < typeOf(weightTaps).getDimSize(2); ++x)
          cols.push_back(scaled(at[3], p.strides[1], x * p.dilations[1]));
        return sumOfTaps(nb, nloc, at[1], bias, weightTaps, multiplier,
                         [&](int64_t y, int64_t x, Value channel) -> Value {
                           Value row = scaled(at[2], p.strides[0], y * p.dilations[0]);
                           return tensor::ExtractOp::create(nb, nloc, padded,
                                                            ValueRange{at[0], channel, row, cols[x]});
                         });
      });
}

// Image i of [N, C, H, W] as [1, C, H, W] (the tensor itself when N is 1).
Value sliceImage(OpBuilder &b, Location loc, Value batch, int64_t i) {
  auto type = typeOf(batch);
  if (type.getDimSize(0) == 1)
    return batch;
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(i), b.getIndexAttr(0), b.getIndexAttr(0),
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(type.getDimSize(1)),
                                     b.getIndexAttr(type.getDimSize(2)),
                                     b.getIndexAttr(type.getDimSize(3))};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  auto imageType = RankedTensorType::get({1, type.getDimSize(1), type.getDimSize(2),
                                          type.getDimSize(3)},
                                         type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, imageType, batch, offsets, sizes, strides);
}

// The per-image results [1, F, OH, OW] as one [N, F, OH, OW] tensor.
Value stackImages(OpBuilder &b, Location loc, ArrayRef<Value> images,
                  RankedTensorType resultType) {
  if (images.size() == 1)
    return images[0];
  Value result = emptyTensor(b, loc, resultType);
  auto shape = resultType.getShape();
  for (auto [i, image] : llvm::enumerate(images)) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(i), b.getIndexAttr(0),
                                         b.getIndexAttr(0), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(shape[1]),
                                       b.getIndexAttr(shape[2]), b.getIndexAttr(shape[3])};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    result = tensor::InsertSliceOp::create(b, loc, image, result, offsets, sizes, strides);
  }
  return result;
}

// result + bias, the bias [F] broadcast along `biasShape` (its one non-unit
// axis is the channels'): added after a matmul that starts from zero, it
// fuses with the activation that follows (MatmulZeroInit.h).
Value addBias(OpBuilder &b, Location loc, Value result, Value bias,
              ArrayRef<int64_t> biasShape) {
  return elementwise(b, loc, cast<RankedTensorType>(result.getType()),
                     {result, reshapeTo(b, loc, bias, biasShape)},
                     [](OpBuilder &nb, Location nloc, ValueRange v) -> Value {
                       return arith::AddFOp::create(nb, nloc, v[0], v[1]);
                     });
}

// A constant kernel's values between [F, C, KH, KW] and [KH, KW, C, F]
// order: `toTapsFirst` from the first to the second, else back.
std::vector<float> reorderedKernel(const std::vector<float> &values, int64_t kh, int64_t kw,
                                   int64_t c, int64_t f, bool toTapsFirst) {
  std::vector<float> out(values.size());
  for (int64_t fi = 0; fi < f; ++fi)
    for (int64_t ci = 0; ci < c; ++ci)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          int64_t fchw = ((fi * c + ci) * kh + y) * kw + x, hwcf = ((y * kw + x) * c + ci) * f + fi;
          if (toTapsFirst)
            out[hwcf] = values[fchw];
          else
            out[fchw] = values[hwcf];
        }
  return out;
}

// 2-D convolution of [N, C, H, W] by [F, Cg, KH, KW] (+ bias [F]) into `resultType`.
Value conv2D(OpBuilder &b, Location loc, Value input, Value weight, Value bias,
             const Conv2DParams &p, RankedTensorType resultType, int64_t vectorBits) {
  auto inType = typeOf(input), wType = typeOf(weight);
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
  int64_t f = wType.getDimSize(0), kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t g = p.groups, fg = f / g, k = (c / g) * kh * kw, pixels = oh * ow;
  Type element = inType.getElementType();

  // Grouped with at least 16 channels and filters a group (not depthwise):
  // one group-1 convolution per group, so that each takes the group-1
  // routes (Winograd, chunked im2col). As one batched matmul over the whole
  // image's column buffer (g x Cg*KH*KW x OH*OW floats, 3.6 MB for a 4-group
  // 128-channel 28x28 layer), a 1-thread run was 1.4x ORT's.
  if (g > 1 && c / g >= 16 && fg >= 16 && inType.hasStaticShape() && wType.hasStaticShape()) {
    std::optional<std::vector<float>> all = nn::constantFloats(weight);
    int64_t cg = c / g, perGroup = fg * cg * kh * kw;
    auto groupOutType = RankedTensorType::get({n, fg, oh, ow}, element);
    auto groupWeightType = RankedTensorType::get({fg, cg, kh, kw}, element);
    Conv2DParams single = p;
    single.groups = 1;
    Value result = emptyTensor(b, loc, resultType);
    auto one = b.getIndexAttr(1), zero = b.getIndexAttr(0);
    for (int64_t gi = 0; gi < g; ++gi) {
      Value in = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get({n, cg, inType.getDimSize(2), inType.getDimSize(3)}, element),
          input, ArrayRef<OpFoldResult>{zero, b.getIndexAttr(gi * cg), zero, zero},
          ArrayRef<OpFoldResult>{b.getIndexAttr(n), b.getIndexAttr(cg),
                                 b.getIndexAttr(inType.getDimSize(2)),
                                 b.getIndexAttr(inType.getDimSize(3))},
          SmallVector<OpFoldResult>(4, one));
      // A constant weight is split at compile time, so that the routes
      // that pack it (Winograd, direct) still see a constant.
      Value w = all ? Value(arith::ConstantOp::create(
                          b, loc,
                          cast<TypedAttr>(nn::makeFloatConstant(
                              groupWeightType,
                              ArrayRef<float>(*all).slice(gi * perGroup, perGroup),
                              "group_weight"))))
                    : Value(tensor::ExtractSliceOp::create(
                          b, loc, groupWeightType, weight,
                          ArrayRef<OpFoldResult>{b.getIndexAttr(gi * fg), zero, zero, zero},
                          ArrayRef<OpFoldResult>{b.getIndexAttr(fg), b.getIndexAttr(cg),
                                                 b.getIndexAttr(kh), b.getIndexAttr(kw)},
                          SmallVector<OpFoldResult>(4, one)));
      Value groupBias;
      if (bias)
        groupBias = tensor::ExtractSliceOp::create(
            b, loc, RankedTensorType::get({fg}, typeOf(bias).getElementType()), bias,
            ArrayRef<OpFoldResult>{b.getIndexAttr(gi * fg)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(fg)}, ArrayRef<OpFoldResult>{one});
      Value out = conv2D(b, loc, in, w, groupBias, single, groupOutType, vectorBits);
      result = tensor::InsertSliceOp::create(
          b, loc, out, result, ArrayRef<OpFoldResult>{zero, b.getIndexAttr(gi * fg), zero, zero},
          ArrayRef<OpFoldResult>{b.getIndexAttr(n), b.getIndexAttr(fg), b.getIndexAttr(oh),
                                 b.getIndexAttr(ow)},
          SmallVector<OpFoldResult>(4, one));
    }
    return result;
  }
  // The routes that take one image [C, H, W] at a time and give [.., F, OH, OW].
  auto eachImage = [&](llvm::function_ref<Value(Value)> convolve) {
    SmallVector<Value> images;
    for (int64_t i = 0; i < n; ++i) {
      Value image = reshapeTo(b, loc, sliceImage(b, loc, input, i), {c, inType.getDimSize(2),
                                                                      inType.getDimSize(3)});
      images.push_back(reshapeTo(b, loc, convolve(image), {1, f, oh, ow}));
    }
    return stackImages(b, loc, images, resultType);
  };
  std::optional<WinogradTiles> winograd;
  std::optional<std::vector<float>> weights;
  std::optional<DirectConvPlan> direct;
  bool strided = p.strides[0] > 1 || p.strides[1] > 1;
  // A few-channel image (a network's first layer): the whole sum in
  // registers (FewChannelConv.h), then back to NCHW with the bias, a pass
  // the ReLU after it fuses into.
  if (std::optional<int64_t> tile;
      g == 1 && element.isF32() && (tile = planFewChannelConv(c, f, ow, vectorBits)) &&
      (weights = nn::constantFloats(weight))) {
    std::vector<float> hwcf = reorderedKernel(*weights, kh, kw, c, f, /*toTapsFirst=*/true);
    Value padded = padConstant(b, loc, input, {0, 0, p.pads[0], p.pads[1]},
                               {0, 0, p.pads[2], p.pads[3]}, 0.0);
    auto paddedType = typeOf(padded);
    SmallVector<Value> images;
    for (int64_t i = 0; i < n; ++i) {
      Value image = reshapeTo(b, loc, sliceImage(b, loc, padded, i),
                              {c, paddedType.getDimSize(2), paddedType.getDimSize(3)});
      Value out = fewChannelConv2D(b, loc, image, /*channelsLast=*/false, hwcf, f, kh, kw, oh, ow,
                                   p, *tile);
      images.push_back(permuted(b, loc, out, {0, 3, 1, 2}, bias, 1));
    }
    return stackImages(b, loc, images, resultType);
  }
  if (g == 1 && element.isF32() &&
      (direct = planDirectConv(c, f, kh, kw, oh, ow, strided, vectorBits)) &&
      (weights = nn::constantFloats(weight)))
    return eachImage([&](Value image) {
      return directConv2D(b, loc, image, *weights, bias, f, kh, kw, oh, ow, p, *direct);
    });
  if (g == 1 && kh == 3 && kw == 3 && p.strides[0] == 1 && p.strides[1] == 1 &&
      p.dilations[0] == 1 && p.dilations[1] == 1 && element.isF32() &&
      (winograd = planWinograd(c, f, oh, ow)) && (weights = nn::constantFloats(weight)))
    return eachImage([&](Value image) {
      return winogradConv2D(b, loc, image, *weights, bias, p.pads[0], p.pads[1], f, oh, ow,
                            *winograd, vectorBits);
    });

  Value padded = padConstant(b, loc, input, {0, 0, p.pads[0], p.pads[1]},
                             {0, 0, p.pads[2], p.pads[3]}, 0.0);
  // A column buffer too large for the cache: gathered and multiplied a
  // chunk of output rows at a time (Im2col.h).
  std::optional<int64_t> chunkRows;
  if (g == 1 && !(kh == 1 && kw == 1 && p.strides[0] == 1 && p.strides[1] == 1) &&
      isa<FloatType>(element) && (chunkRows = planIm2colChunks(k, oh, ow))) {
    auto paddedType = typeOf(padded);
    SmallVector<Value> images;
    for (int64_t i = 0; i < n; ++i) {
      Value image = reshapeTo(b, loc, sliceImage(b, loc, padded, i),
                              {c, paddedType.getDimSize(2), paddedType.getDimSize(3)});
      images.push_back(chunkedIm2colConv2D(b, loc, image, reshapeTo(b, loc, weight, {f, k}), kh,
                                           kw, oh, ow, p, *chunkRows));
    }
    Value result = stackImages(b, loc, images, resultType);
    return bias ? addBias(b, loc, result, bias, {1, f, 1, 1}) : result;
  }
  Value w3 = reshapeTo(b, loc, weight, {g, fg, k});
  auto accType = RankedTensorType::get({g, fg, pixels}, element);
  // One group: the matmul starts from zero without reading its output, and
  // the bias is added after, in the pass of the activation that follows
  // (MatmulZeroInit.h). Groups: the bias (broadcast along pixels) is the
  // batched matmul's initial accumulator.
  bool biasAfter = bias && g == 1;
  Value init = bias && !biasAfter
                   ? elementwise(b, loc, accType, reshapeTo(b, loc, bias, {g, fg, 1}),
                                 [](OpBuilder &, Location, ValueRange a) { return a[0]; })
                   : zeroAccumulator(b, loc, accType);

  SmallVector<Value> images;
  for (int64_t i = 0; i < n; ++i) {
    // One image at a time keeps the column buffer at one image's size.
    auto paddedType = typeOf(padded);
    Value image = reshapeTo(b, loc, sliceImage(b, loc, padded, i),
                            {c, paddedType.getDimSize(2), paddedType.getDimSize(3)});
    Value col = im2col(b, loc, image, g, kh, kw, oh, ow, p);
    Value out;
    if (g == 1) {
      out = matmul2D(b, loc, reshapeTo(b, loc, w3, {fg, k}), reshapeTo(b, loc, col, {k, pixels}),
                     reshapeTo(b, loc, init, {fg, pixels}));
    } else {
      out = linalg::BatchMatmulOp::create(b, loc, TypeRange{accType}, ValueRange{w3, col},
                                          ValueRange{init})
                .getResult(0);
    }
    images.push_back(reshapeTo(b, loc, out, {1, f, oh, ow}));
  }
  Value result = stackImages(b, loc, images, resultType);
  return biasAfter ? addBias(b, loc, result, bias, {1, f, 1, 1}) : result;
}

// 2-D channels-last convolution (group 1) of [N, H, W, C] by [KH, KW, C, F]
// (+ bias [F]) into `resultType` [N, OH, OW, F].
Value conv2DChannelsLast(OpBuilder &b, Location loc, Value input, Value weight, Value bias,
                         const Conv2DParams &p, RankedTensorType resultType, int64_t vectorBits) {
  auto wType = typeOf(weight);
  int64_t kh = wType.getDimSize(0), kw = wType.getDimSize(1), c = wType.getDimSize(2);
  int64_t f = wType.getDimSize(3);
  int64_t n = resultType.getDimSize(0), oh = resultType.getDimSize(1),
          ow = resultType.getDimSize(2);
  int64_t rows = n * oh * ow, k = kh * kw * c;
  Type element = resultType.getElementType();
  // Small maps: computed directly, as NCHW convolutions of their size are
  // (DirectConv.h), without the transposes around them.
  std::optional<std::vector<float>> hwcf;
  bool strided = p.strides[0] > 1 || p.strides[1] > 1;
  // A few-channel image (a network's first layer): the whole sum in
  // registers (FewChannelConv.h).
  if (std::optional<int64_t> tile;
      element.isF32() && (tile = planFewChannelConv(c, f, ow, vectorBits)) &&
      (hwcf = nn::constantFloats(weight))) {
    Value padded = padChannelsLast(b, loc, input, {p.pads[0], p.pads[1]}, {p.pads[2], p.pads[3]},
                                   0.0);
    auto paddedType = typeOf(padded);
    SmallVector<Value> images;
    for (int64_t i = 0; i < n; ++i) {
      Value image = reshapeTo(b, loc, sliceImage(b, loc, padded, i),
                              {paddedType.getDimSize(1), paddedType.getDimSize(2), c});
      images.push_back(fewChannelConv2D(b, loc, image, /*channelsLast=*/true, *hwcf, f, kh, kw, oh,
                                        ow, p, *tile));
    }
    Value result = stackImages(b, loc, images, resultType);
    return bias ? addBias(b, loc, result, bias, {1, 1, 1, f}) : result;
  }
  if (std::optional<DirectConvPlan> direct;
      element.isF32() &&
      (direct = planDirectConv(c, f, kh, kw, oh, ow, strided, vectorBits)) &&
      (hwcf = nn::constantFloats(weight))) {
    std::vector<float> fchw = reorderedKernel(*hwcf, kh, kw, c, f, /*toTapsFirst=*/false);
    SmallVector<Value> images;
    for (int64_t i = 0; i < n; ++i)
      images.push_back(directConv2DChannelsLast(b, loc, sliceImage(b, loc, input, i), fchw, f, kh,
                                                kw, oh, ow, p, *direct));
    Value result = stackImages(b, loc, images, resultType);
    return bias ? addBias(b, loc, result, bias, {1, 1, 1, f}) : result;
  }
  bool pointwise = kh == 1 && kw == 1 && p.strides[0] == 1 && p.strides[1] == 1 &&
                   p.pads[0] == 0 && p.pads[1] == 0 && p.pads[2] == 0 && p.pads[3] == 0;
  if (std::optional<int64_t> chunkRows;
      pointwise && n == 1 && (chunkRows = planPointwiseChunks(oh, ow, c, f))) {
    Value result = pointwiseConv2DInChunks(b, loc, input, reshapeTo(b, loc, weight, {c, f}),
                                           *chunkRows);
    return bias ? addBias(b, loc, result, bias, {1, 1, 1, f}) : result;
  }
  Value padded = padChannelsLast(b, loc, input, {p.pads[0], p.pads[1]},
                                 {p.pads[2], p.pads[3]}, 0.0);
  Value col;
  if (kh == 1 && kw == 1 && p.strides[0] == 1 && p.strides[1] == 1) {
    // The (padded) input already is the columns.
    col = reshapeTo(b, loc, padded, {rows, c});
  } else {
    MLIRContext *ctx = b.getContext();
    auto paddedType = typeOf(padded);
    int64_t hp = paddedType.getDimSize(1), wp = paddedType.getDimSize(2);
    AffineExpr en, oy, ox, y, x, ec;
    Value source = padded;
    SmallVector<int64_t> colShape = {n, oh, ow, kh, kw, c};
    AffineMap inputMap;
    if (p.dilations[1] == 1) {
      // Undilated along W, the KW taps of a row are KW*C contiguous values:
      // loops (n, oh, ow, kh, j) read the input viewed as [N, Hp, Wp*C] at
      // [n, oh*sh + kh*dh, ow*sw*C + j], one long vectorizable copy.
      source = reshapeTo(b, loc, padded, {n, hp, wp * c});
      colShape = {n, oh, ow, kh, kw * c};
      bindDims(ctx, en, oy, ox, y, x);
      inputMap = AffineMap::get(5, 0,
                                {en, oy * p.strides[0] + y * p.dilations[0],
                                 ox * (p.strides[1] * c) + x},
                                ctx);
    } else {
      // Loops (n, oh, ow, kh, kw, c) read padded[n, oh*sh + kh*dh, ow*sw + kw*dw, c].
      bindDims(ctx, en, oy, ox, y, x, ec);
      inputMap = AffineMap::get(6, 0,
                                {en, oy * p.strides[0] + y * p.dilations[0],
                                 ox * p.strides[1] + x * p.dilations[1], ec},
                                ctx);
    }
    auto colType = RankedTensorType::get(colShape, element);
    int64_t loops = colShape.size();
    col = linalg::GenericOp::create(
              b, loc, colType, source, emptyTensor(b, loc, colType),
              ArrayRef<AffineMap>{inputMap, b.getMultiDimIdentityMap(loops)},
              SmallVector<utils::IteratorType>(loops, utils::IteratorType::parallel),
              [](OpBuilder &nb, Location nloc, ValueRange args) {
                linalg::YieldOp::create(nb, nloc, args[0]);
              })
              .getResult(0);
    col = reshapeTo(b, loc, col, {rows, k});
  }
  // Pixels are the matmul's M (matmul2D pads an awkward count).
  auto accType = RankedTensorType::get({rows, f}, element);
  // The matmul starts from zero; the bias is added after (MatmulZeroInit.h).
  Value out = matmul2D(b, loc, col, reshapeTo(b, loc, weight, {k, f}),
                       zeroAccumulator(b, loc, accType));
  Value result = reshapeTo(b, loc, out, resultType.getShape());
  return bias ? addBias(b, loc, result, bias, {1, 1, 1, f}) : result;
}

// Direct N-D convolution, one linalg.generic over (n, g, f, o..., c, k...):
// out[n, g, f, o] += in[n, g, c, o * s + k * d] * w[g, f, c, k]. Any rank,
// element type (integers accumulate in their type) and dynamic sizes; the
// im2col path above stays the fast one for 1-D and 2-D float convolutions.
Value convolutionNd(OpBuilder &b, Location loc, Value input, Value weight, Value bias,
                    ArrayRef<int64_t> strides, ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                    int64_t groups, RankedTensorType resultType) {
  auto inType = typeOf(input), wType = typeOf(weight);
  // Channels the model computes at run time: the weight fixes them.
  if (inType.isDynamicDim(1) && !wType.isDynamicDim(1)) {
    int64_t channels = wType.getDimSize(1) * groups;
    Value actual = tensor::DimOp::create(b, loc, input, 1);
    runtimeCheck(b, loc,
                 arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, actual,
                                       indexConstant(b, loc, channels)),
                 "the input has a different number of channels than the weight expects (" +
                     llvm::Twine(channels) + ")");
    SmallVector<int64_t> shape(inType.getShape());
    shape[1] = channels;
    inType = RankedTensorType::get(shape, inType.getElementType());
    input = tensor::CastOp::create(b, loc, inType, input);
  }
  int64_t spatial = inType.getRank() - 2;
  Type element = resultType.getElementType();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> low(2, 0), high(2, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(pads[i]);
    high.push_back(pads[spatial + i]);
  }
  Value padded = padConstant(b, loc, input, low, high, 0.0);
  int64_t c = inType.getDimSize(1), f = wType.getDimSize(0);
  int64_t cg = c / groups, fg = f / groups;
  Sizes padSizes = sizesOf(b, loc, padded), wSizes = sizesOf(b, loc, weight);
  // [N, C, I...] -> [N, G, Cg, I...]; [F, Cg, K...] -> [G, Fg, Cg, K...].
  auto split = [&](Value v, ArrayRef<OpFoldResult> sizes, int64_t outer, int64_t inner,
                   int64_t at) -> Value {
    auto type = typeOf(v);
    SmallVector<int64_t> shape(type.getShape().take_front(at));
    shape.append({outer, inner});
    shape.append(type.getShape().drop_front(at + 1).begin(), type.getShape().drop_front(at + 1).end());
    Sizes outSizes(sizes.take_front(at));
    outSizes.append({b.getIndexAttr(outer), b.getIndexAttr(inner)});
    outSizes.append(sizes.drop_front(at + 1).begin(), sizes.drop_front(at + 1).end());
    SmallVector<ReassociationIndices> groupsOf;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      if (i < at)
        groupsOf.push_back({i});
      else if (i == at)
        groupsOf.push_back({at, at + 1});
      else
        groupsOf.push_back({i + 1});
    }
    return tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(shape, type.getElementType()),
                                         v, groupsOf, outSizes);
  };
  Value in5 = split(padded, padSizes, groups, cg, 1);
  Value w5 = split(weight, wSizes, groups, fg, 0);
  // Output [N, G, Fg, O...], sizes from the result type or the window formula.
  Sizes inSizes = sizesOf(b, loc, input);
  SmallVector<int64_t> outShape = {resultType.getDimSize(0), groups, fg};
  Sizes outSizes = {inSizes[0], b.getIndexAttr(groups), b.getIndexAttr(fg)};
  for (int64_t i = 0; i < spatial; ++i) {
    outShape.push_back(resultType.getDimSize(2 + i));
    if (!resultType.isDynamicDim(2 + i)) {
      outSizes.push_back(b.getIndexAttr(resultType.getDimSize(2 + i)));
      continue;
    }
    Value span = indexConstant(b, loc, (typeOf(weight).getDimSize(2 + i) - 1) * dilations[i] + 1);
    Value avail = arith::SubIOp::create(b, loc, indexValue(b, loc, padSizes[2 + i]), span);
    Value o = arith::AddIOp::create(
        b, loc, arith::DivSIOp::create(b, loc, avail, indexConstant(b, loc, strides[i])),
        indexConstant(b, loc, 1));
    outSizes.push_back(o);
  }
  auto accType = RankedTensorType::get(outShape, element);
  Value init;
  if (bias) {
    Value bias2 = split(bias, sizesOf(b, loc, bias), groups, fg, 0);
    SmallVector<AffineExpr> exprs = {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)};
    SmallVector<AffineMap> maps = {AffineMap::get(outShape.size(), 0, exprs, ctx),
                                   b.getMultiDimIdentityMap(outShape.size())};
    init = linalg::GenericOp::create(
               b, loc, accType, bias2, emptyTensor(b, loc, accType, outSizes), maps,
               SmallVector<utils::IteratorType>(outShape.size(), utils::IteratorType::parallel),
               [](OpBuilder &nb, Location l, ValueRange a) { linalg::YieldOp::create(nb, l, a[0]); })
               .getResult(0);
  } else {
    init = zeroAccumulator(b, loc, accType, outSizes);
  }
  // Loops: n, g, f, o_0.., c, k_0..
  int64_t loops = 4 + 2 * spatial;
  AffineExpr n = getAffineDimExpr(0, ctx), g = getAffineDimExpr(1, ctx), ef = getAffineDimExpr(2, ctx);
  AffineExpr ec = getAffineDimExpr(3 + spatial, ctx);
  SmallVector<AffineExpr> inExprs = {n, g, ec}, wExprs = {g, ef, ec}, outExprs = {n, g, ef};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = getAffineDimExpr(3 + i, ctx), k = getAffineDimExpr(4 + spatial + i, ctx);
    inExprs.push_back(o * strides[i] + k * dilations[i]);
    wExprs.push_back(k);
    outExprs.push_back(o);
  }
  SmallVector<utils::IteratorType> iterators(loops, utils::IteratorType::parallel);
  for (int64_t i = 3 + spatial; i < loops; ++i)
    iterators[i] = utils::IteratorType::reduction;
  SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, inExprs, ctx),
                                 AffineMap::get(loops, 0, wExprs, ctx),
                                 AffineMap::get(loops, 0, outExprs, ctx)};
  Value acc = linalg::GenericOp::create(
                  b, loc, accType, ValueRange{in5, w5}, init, maps, iterators,
                  [&](OpBuilder &nb, Location l, ValueRange a) {
                    Value x = a[0], w = a[1];
                    Type accT = a[2].getType();
                    if (x.getType() != accT)
                      x = isa<FloatType>(accT) ? Value(arith::ExtFOp::create(nb, l, accT, x))
                                               : Value(arith::ExtSIOp::create(nb, l, accT, x));
                    if (w.getType() != accT)
                      w = isa<FloatType>(accT) ? Value(arith::ExtFOp::create(nb, l, accT, w))
                                               : Value(arith::ExtSIOp::create(nb, l, accT, w));
                    Value r = isa<FloatType>(accT)
                                  ? Value(arith::AddFOp::create(nb, l, a[2], arith::MulFOp::create(nb, l, x, w)))
                                  : Value(arith::AddIOp::create(nb, l, a[2], arith::MulIOp::create(nb, l, x, w)));
                    linalg::YieldOp::create(nb, l, r);
                  })
                  .getResult(0);
  SmallVector<ReassociationIndices> merge = {{0}, {1, 2}};
  for (int64_t i = 0; i < spatial; ++i)
    merge.push_back({3 + i});
  Value result = tensor::CollapseShapeOp::create(b, loc, acc, merge);
  if (result.getType() != resultType)
    result = tensor::CastOp::create(b, loc, resultType, result);
  return result;
}

// Views a 1-D convolution as 2-D with a unit height.
Value as2D(OpBuilder &b, Location loc, Value v) {
  auto shape = typeOf(v).getShape();
  return reshapeTo(b, loc, v, {shape[0], shape[1], 1, shape[2]});
}

struct LowerConv : OpRewritePattern<nn::ConvOp> {
  // A dynamic batch becomes a loop over samples of the same op with static
  // shapes, which this pattern then lowers.
  LowerConv(MLIRContext *ctx, int64_t vectorBits)
      : OpRewritePattern(ctx), vectorBits(vectorBits) {
    setHasBoundedRewriteRecursion();
  }
  int64_t vectorBits;
  LogicalResult matchAndRewrite(nn::ConvOp op, PatternRewriter &rewriter) const override {
    if (auto perSample = lowerPerSample(op, rewriter); succeeded(perSample)) {
      rewriter.replaceOp(op, *perSample);
      return success();
    }
    int64_t spatial = op.getInput().getType().getRank() - 2;
    bool general = spatial > 2 || !isa<FloatType>(op.getType().getElementType()) ||
                   !op.getInput().getType().hasStaticShape() || !op.getType().hasStaticShape();
    if (general && !op.getChannelsLast()) {
      rewriter.replaceOp(op, convolutionNd(rewriter, op.getLoc(), op.getInput(), op.getWeight(),
                                           op.getBias(), op.getStrides(), op.getPads(),
                                           op.getDilations(), op.getGroup(), op.getType()));
      return success();
    }
    if (failed(requireStaticShapes(op, rewriter)))
      return failure();
    if (op.getChannelsLast())
      return lowerChannelsLast(op, spatial, rewriter);
    Location loc = op.getLoc();
    Conv2DParams p;
    p.groups = op.getGroup();
    auto s = op.getStrides(), d = op.getDilations(), pads = op.getPads();
    if (spatial == 2) {
      p = {{s[0], s[1]}, {d[0], d[1]}, {pads[0], pads[1], pads[2], pads[3]}, p.groups};
      if (p.groups > 1 && op.getWeight().getType().getDimSize(1) == 1) {
        rewriter.replaceOp(op, depthwiseConv2D(rewriter, loc, op.getInput(), op.getWeight(),
                                               op.getBias(), p, op.getType()));
        return success();
      }
      rewriter.replaceOp(op, conv2D(rewriter, loc, op.getInput(), op.getWeight(), op.getBias(),
                                    p, op.getType(), vectorBits));
      return success();
    }
    p = {{1, s[0]}, {1, d[0]}, {0, pads[0], 0, pads[1]}, p.groups};
    auto out = op.getType().getShape();
    auto type2D = RankedTensorType::get({out[0], out[1], 1, out[2]}, op.getType().getElementType());
    Value result = conv2D(rewriter, loc, as2D(rewriter, loc, op.getInput()),
                          as2D(rewriter, loc, op.getWeight()), op.getBias(), p, type2D,
                          vectorBits);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, out));
    return success();
  }

  // [N, (H,) W, C] by [(KH,) KW, C, F]; a 1-D one is 2-D with a unit height.
  LogicalResult lowerChannelsLast(nn::ConvOp op, int64_t spatial, PatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    auto s = op.getStrides(), d = op.getDilations(), pads = op.getPads();
    if (op.getGroup() != 1) {
      auto w = op.getWeight().getType().getShape();
      if (spatial != 2 || w[2] != 1 || w[3] != op.getGroup())
        return op.emitError("Conv: a grouped channels-last convolution must be 2-D and "
                            "depthwise (weight [KH, KW, 1, group]), this one has group ")
               << op.getGroup() << " and weight " << nn::formatShape(w), failure();
      rewriter.replaceOp(op, depthwiseConv2DChannelsLast(rewriter, loc, op.getInput(),
                                                         op.getWeight(), op.getBias(), s, d,
                                                         pads, op.getType()));
      return success();
    }
    Value input = op.getInput(), weight = op.getWeight();
    auto outShape = op.getType().getShape();
    auto type2D = op.getType();
    Conv2DParams p;
    if (spatial == 2) {
      p = {{s[0], s[1]}, {d[0], d[1]}, {pads[0], pads[1], pads[2], pads[3]}, 1};
    } else {
      p = {{1, s[0]}, {1, d[0]}, {0, pads[0], 0, pads[1]}, 1};
      auto in = typeOf(input).getShape(), w = typeOf(weight).getShape();
      input = reshapeTo(rewriter, loc, input, {in[0], 1, in[1], in[2]});
      weight = reshapeTo(rewriter, loc, weight, {1, w[0], w[1], w[2]});
      type2D = RankedTensorType::get({outShape[0], 1, outShape[1], outShape[2]},
                                     op.getType().getElementType());
    }
    Value result =
        conv2DChannelsLast(rewriter, loc, input, weight, op.getBias(), p, type2D, vectorBits);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outShape));
    return success();
  }
};

// ConvTranspose whose kernel equals its stride (no padding, dilation 1,
// group 1; the 2x2 stride-2 upsampling of UNet decoders): the output
// windows do not overlap, so out[f, i*KH + a, j*KW + b] = bias[f] +
// sum_c w[c, f, a, b] x[c, i, j] is one matmul [F*KH*KW, C] x [C, H*W]
// followed by a rearrangement of its result, instead of a convolution of
// the stride-dilated input that multiplies mostly zeros (3/4 of them at
// stride 2). One image, [1, C, H, W] by [C, F, KH, KW].
Value convTransposeAsMatmul(OpBuilder &b, Location loc, Value input, Value weight, Value bias,
                            RankedTensorType resultType) {
  auto inType = typeOf(input), wType = typeOf(weight);
  int64_t c = inType.getDimSize(1), h = inType.getDimSize(2), w = inType.getDimSize(3);
  int64_t f = wType.getDimSize(1), kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  Type element = inType.getElementType();
  // [C, F*KH*KW] -> [F*KH*KW, C]: folded at compile time for constant weights.
  Value lhs = transpose2D(b, loc, reshapeTo(b, loc, weight, {c, f * kh * kw}));
  Value rhs = reshapeTo(b, loc, input, {c, h * w});
  auto productType = RankedTensorType::get({f * kh * kw, h * w}, element);
  Value product = matmul2D(b, loc, lhs, rhs, zeroAccumulator(b, loc, productType));
  // [F, KH, KW, H, W] -> [F, H, KH, W, KW], which is [F, H*KH, W*KW].
  Value split = reshapeTo(b, loc, product, {f, kh, kw, h, w});
  auto spreadType = RankedTensorType::get({f, h, kh, w, kw}, element);
  Value spread = linalg::TransposeOp::create(b, loc, split, emptyTensor(b, loc, spreadType),
                                             ArrayRef<int64_t>{0, 3, 1, 4, 2})
                     .getResult()[0];
  Value result = reshapeTo(b, loc, spread, resultType.getShape());
  return bias ? addBias(b, loc, result, bias, {1, f, 1, 1}) : result;
}

// A strided ConvTranspose (group 1, dilation 1) of [N, C, H, W] by
// [C, F, KH, KW] as one stride-1 convolution with S = SH*SW times the output
// channels, one set per output phase, then a rearrangement. Output position
// Y = y + padTop of phase ry = Y % SH gathers input rows qy - t (qy = Y / SH)
// through kernel rows ry + t*SH: a correlation of the input, padded by T-1
// (T = ceil(KH / SH) taps), with the sub-kernel flipped. Phases with fewer
// taps get zero taps, so all phases share one im2col and one matmul: with
// 3x3 stride 2, 16 multiplies per 2x2 outputs and channel pair instead of the
// 36 of convolving the zero-dilated input.
Value convTransposePolyphase(OpBuilder &b, Location loc, Value input, Value weight, Value bias,
                             ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                             RankedTensorType resultType, int64_t vectorBits) {
  auto inType = typeOf(input), wType = typeOf(weight);
  int64_t n = inType.getDimSize(0), c = inType.getDimSize(1), h = inType.getDimSize(2),
          w = inType.getDimSize(3);
  int64_t f = wType.getDimSize(1), kh = wType.getDimSize(2), kw = wType.getDimSize(3);
  int64_t sh = strides[0], sw = strides[1];
  int64_t ty = (kh + sh - 1) / sh, tx = (kw + sw - 1) / sw;
  int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t qh = (pads[0] + oh + sh - 1) / sh, qw = (pads[1] + ow + sw - 1) / sw;
  Type element = inType.getElementType();

  // phaseKernel[(ry * SW + rx) * F + f][c][a][b] = w[c][f][ry + (T-1-a)*SH][rx + (T-1-b)*SW],
  // zero past the kernel.
  auto phaseKernelType = RankedTensorType::get({sh * sw * f, c, ty, tx}, element);
  Value phaseKernel = indexedGenerate(
      b, loc, phaseKernelType, [&](OpBuilder &nb, Location nloc, ArrayRef<Value> at) {
        auto constant = [&](int64_t v) { return indexConstant(nb, nloc, v); };
        Value phase = arith::DivUIOp::create(nb, nloc, at[0], constant(f));
        Value filter = arith::RemUIOp::create(nb, nloc, at[0], constant(f));
        Value ry = arith::DivUIOp::create(nb, nloc, phase, constant(sw));
        Value rx = arith::RemUIOp::create(nb, nloc, phase, constant(sw));
        auto tap = [&](Value r, Value i, int64_t taps, int64_t stride) -> Value {
          Value flipped = arith::SubIOp::create(nb, nloc, constant(taps - 1), i);
          return arith::AddIOp::create(nb, nloc, r,
                                       arith::MulIOp::create(nb, nloc, flipped, constant(stride)));
        };
        Value ky = tap(ry, at[2], ty, sh), kx = tap(rx, at[3], tx, sw);
        Value inside = arith::AndIOp::create(
            nb, nloc, arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult, ky, constant(kh)),
            arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::ult, kx, constant(kw)));
        Value value = tensor::ExtractOp::create(
            nb, nloc, weight,
            ValueRange{at[1], filter, arith::MinUIOp::create(nb, nloc, ky, constant(kh - 1)),
                       arith::MinUIOp::create(nb, nloc, kx, constant(kw - 1))});
        return arith::SelectOp::create(nb, nloc, inside, value, scalarConstant(nb, nloc, element, 0.0))
            .getResult();
      });
  Conv2DParams p = {{1, 1},
                    {1, 1},
                    {ty - 1, tx - 1, std::max<int64_t>(qh - h, 0), std::max<int64_t>(qw - w, 0)},
                    1};
  auto phasesType = RankedTensorType::get({n, sh * sw * f, qh, qw}, element);
  Value phases = conv2D(b, loc, input, phaseKernel, Value(), p, phasesType, vectorBits);
  // [N, SH, SW, F, QH, QW] -> [N, F, QH, SH, QW, SW], which is [N, F, QH*SH, QW*SW].
  Value split = reshapeTo(b, loc, phases, {n, sh, sw, f, qh, qw});
  auto spreadType = RankedTensorType::get({n, f, qh, sh, qw, sw}, element);
  Value spread = linalg::TransposeOp::create(b, loc, split, emptyTensor(b, loc, spreadType),
                                             ArrayRef<int64_t>{0, 3, 4, 1, 5, 2})
                     .getResult()[0];
  Value full = reshapeTo(b, loc, spread, {n, f, qh * sh, qw * sw});
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0),
                                       b.getIndexAttr(pads[0]), b.getIndexAttr(pads[1])};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(n), b.getIndexAttr(f), b.getIndexAttr(oh),
                                     b.getIndexAttr(ow)};
  Value cropped = tensor::ExtractSliceOp::create(b, loc, resultType, full, offsets, sizes,
                                                 SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
  // One pass either way: the bias add, or a copy that makes the result dense.
  SmallVector<Value> operands = {cropped};
  if (bias)
    operands.push_back(reshapeTo(b, loc, bias, {1, f, 1, 1}));
  return elementwise(b, loc, resultType, operands,
                     [&](OpBuilder &nb, Location nloc, ValueRange v) -> Value {
                       return bias ? arith::AddFOp::create(nb, nloc, v[0], v[1]).getResult() : v[0];
                     });
}

struct LowerConvTranspose : OpRewritePattern<nn::ConvTransposeOp> {
  // A dynamic batch becomes a loop over samples of the same op with static
  // shapes, which this pattern then lowers.
  LowerConvTranspose(MLIRContext *ctx, int64_t vectorBits)
      : OpRewritePattern(ctx), vectorBits(vectorBits) {
    setHasBoundedRewriteRecursion();
  }
  int64_t vectorBits;
  LogicalResult matchAndRewrite(nn::ConvTransposeOp op, PatternRewriter &rewriter) const override {
    if (auto perSample = lowerPerSample(op, rewriter); succeeded(perSample)) {
      rewriter.replaceOp(op, *perSample);
      return success();
    }
    int64_t spatial = op.getInput().getType().getRank() - 2;
    if ((spatial != 1 && spatial != 2) || !op.getInput().getType().hasStaticShape() ||
        !op.getType().hasStaticShape())
      return lowerGeneral(op, rewriter);
    Location loc = op.getLoc();
    Value input = op.getInput(), weight = op.getWeight();
    SmallVector<int64_t> s(op.getStrides()), d(op.getDilations()), pads(op.getPads()),
        outPad(op.getOutputPadding());
    auto outShape = op.getType().getShape();
    if (spatial == 1) {
      input = as2D(rewriter, loc, input);
      weight = as2D(rewriter, loc, weight);
      s.insert(s.begin(), 1);
      d.insert(d.begin(), 1);
      outPad.insert(outPad.begin(), 0);
      pads = {0, pads[0], 0, pads[1]};
    }
    auto inType = typeOf(input), wType = typeOf(weight);
    Type element = inType.getElementType();
    int64_t n = inType.getDimSize(0), c = inType.getDimSize(1);
    int64_t h = inType.getDimSize(2), w = inType.getDimSize(3);
    int64_t g = op.getGroup(), cg = c / g, fg = wType.getDimSize(1);
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);

    if (n == 1 && g == 1 && kh == s[0] && kw == s[1] && d[0] == 1 && d[1] == 1 &&
        llvm::all_of(pads, [](int64_t p) { return p == 0; }) && outPad[0] == 0 &&
        outPad[1] == 0 && isa<FloatType>(element) &&
        op.getType().getNumElements() == fg * h * kh * w * kw) {
      auto type4D = RankedTensorType::get({1, fg, h * kh, w * kw}, element);
      Value result = convTransposeAsMatmul(rewriter, loc, input, weight, op.getBias(), type4D);
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outShape));
      return success();
    }

    // Kernels at least as large as the strides: every phase has a tap, and
    // the phase kernel is at most (1 + (S-1)/K)^2 times the weight. (With
    // a stride larger than the kernel most phases would be all zeros:
    // stride 100 would make 10,000 of them.)
    if (g == 1 && d[0] == 1 && d[1] == 1 && (s[0] > 1 || s[1] > 1) && kh >= s[0] && kw >= s[1] &&
        isa<FloatType>(element)) {
      auto type4D = RankedTensorType::get({n, fg, spatial == 1 ? 1 : outShape[2], outShape.back()},
                                          element);
      Value result = convTransposePolyphase(rewriter, loc, input, weight, op.getBias(), s,
                                            {pads[0], pads[1]}, type4D, vectorBits);
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outShape));
      return success();
    }

    // 1. Spread the input out by the strides (zeros in between).
    int64_t hd = (h - 1) * s[0] + 1, wd = (w - 1) * s[1] + 1;
    auto dilatedType = RankedTensorType::get({n, c, hd, wd}, element);
    Value dilated = input;
    if (s[0] != 1 || s[1] != 1) {
      SmallVector<OpFoldResult> zeros(4, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(n), rewriter.getIndexAttr(c),
                                         rewriter.getIndexAttr(h), rewriter.getIndexAttr(w)};
      SmallVector<OpFoldResult> strides = {rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
                                           rewriter.getIndexAttr(s[0]), rewriter.getIndexAttr(s[1])};
      dilated = tensor::InsertSliceOp::create(
          rewriter, loc, input, zeroAccumulator(rewriter, loc, dilatedType), zeros, sizes, strides);
    }
    // 2. Pad by dilation*(k-1) minus the transposed pads; negative means crop.
    int64_t padLow[2] = {d[0] * (kh - 1) - pads[0], d[1] * (kw - 1) - pads[1]};
    int64_t padHigh[2] = {d[0] * (kh - 1) - pads[2] + outPad[0],
                          d[1] * (kw - 1) - pads[3] + outPad[1]};
    Value padded = padConstant(rewriter, loc, dilated,
                               {0, 0, std::max<int64_t>(padLow[0], 0), std::max<int64_t>(padLow[1], 0)},
                               {0, 0, std::max<int64_t>(padHigh[0], 0), std::max<int64_t>(padHigh[1], 0)},
                               0.0);
    if (padLow[0] < 0 || padLow[1] < 0 || padHigh[0] < 0 || padHigh[1] < 0) {
      auto pt = typeOf(padded);
      int64_t offH = std::max<int64_t>(-padLow[0], 0), offW = std::max<int64_t>(-padLow[1], 0);
      int64_t sizeH = pt.getDimSize(2) - offH - std::max<int64_t>(-padHigh[0], 0);
      int64_t sizeW = pt.getDimSize(3) - offW - std::max<int64_t>(-padHigh[1], 0);
      auto croppedType = RankedTensorType::get({n, c, sizeH, sizeW}, element);
      SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
                                           rewriter.getIndexAttr(offH), rewriter.getIndexAttr(offW)};
      SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(n), rewriter.getIndexAttr(c),
                                         rewriter.getIndexAttr(sizeH), rewriter.getIndexAttr(sizeW)};
      SmallVector<OpFoldResult> ones(4, rewriter.getIndexAttr(1));
      padded = tensor::ExtractSliceOp::create(rewriter, loc, croppedType, padded, offsets, sizes, ones);
    }
    // 3. Flip the kernel and swap its channel axes per group:
    //    w'[g*Fg + f, c, y, x] = w[g*Cg + c, f, KH-1-y, KW-1-x].
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr eg, ef, ec, ey, ex;
    bindDims(ctx, eg, ef, ec, ey, ex);
    auto flipMap = AffineMap::get(5, 0, {eg * cg + ec, ef, (kh - 1) - ey, (kw - 1) - ex}, ctx);
    auto flippedType = RankedTensorType::get({g, fg, cg, kh, kw}, element);
    Value flipped = linalg::GenericOp::create(
                        rewriter, loc, flippedType, weight, emptyTensor(rewriter, loc, flippedType),
                        ArrayRef<AffineMap>{flipMap, rewriter.getMultiDimIdentityMap(5)},
                        SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel),
                        [](OpBuilder &nb, Location nloc, ValueRange args) {
                          linalg::YieldOp::create(nb, nloc, args[0]);
                        })
                        .getResult(0);
    flipped = reshapeTo(rewriter, loc, flipped, {g * fg, cg, kh, kw});
    // 4. A stride-1 convolution with the same dilation.
    Conv2DParams p = {{1, 1}, {d[0], d[1]}, {0, 0, 0, 0}, g};
    auto type2D = RankedTensorType::get(
        {n, g * fg, spatial == 1 ? 1 : outShape[2], outShape.back()}, element);
    Value result = conv2D(rewriter, loc, padded, flipped, op.getBias(), p, type2D, vectorBits);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, outShape));
    return success();
  }

  // Any rank, sizes known at run time included (the channels and the
  // weight static): the same steps with an N-D direct convolution.
  LogicalResult lowerGeneral(nn::ConvTransposeOp op, PatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    Value input = op.getInput(), weight = op.getWeight();
    auto inType = typeOf(input), wType = typeOf(weight);
    if (!wType.hasStaticShape() || inType.isDynamicDim(1))
      return op.emitError("ConvTranspose: the weight and the input channels must be known at "
                          "compile time"),
             failure();
    int64_t spatial = inType.getRank() - 2;
    Type element = inType.getElementType();
    auto s = op.getStrides(), d = op.getDilations(), pads = op.getPads(), outPad = op.getOutputPadding();
    int64_t c = inType.getDimSize(1), g = op.getGroup();
    int64_t cg = c / g, fg = wType.getDimSize(1);
    auto idx = [&](int64_t v) { return indexConstant(rewriter, loc, v); };
    // 1. Spread the input by the strides.
    Sizes inSizes = sizesOf(rewriter, loc, input), dilatedSizes(inSizes.begin(), inSizes.begin() + 2);
    SmallVector<int64_t> dilatedShape(inType.getShape().take_front(2));
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = inType.getDimSize(2 + i);
      dilatedShape.push_back(ShapedType::isDynamic(in) ? in : (in - 1) * s[i] + 1);
      if (ShapedType::isDynamic(in)) {
        Value v = indexValue(rewriter, loc, inSizes[2 + i]);
        v = arith::SubIOp::create(rewriter, loc, v, idx(1));
        v = arith::MulIOp::create(rewriter, loc, v, idx(s[i]));
        dilatedSizes.push_back(arith::AddIOp::create(rewriter, loc, v, idx(1)).getResult());
      } else {
        dilatedSizes.push_back(rewriter.getIndexAttr(dilatedShape.back()));
      }
    }
    auto dilatedType = RankedTensorType::get(dilatedShape, element);
    SmallVector<OpFoldResult> zeros(inType.getRank(), rewriter.getIndexAttr(0)), steps;
    for (int64_t i = 0; i < inType.getRank(); ++i)
      steps.push_back(rewriter.getIndexAttr(i < 2 ? 1 : s[i - 2]));
    Value zero = scalarConstant(rewriter, loc, element, 0.0);
    Value dilated = tensor::InsertSliceOp::create(
        rewriter, loc, input, filledTensor(rewriter, loc, dilatedType, dilatedSizes, zero), zeros,
        inSizes, steps);
    // 2. Pad by dilation * (k - 1) minus the pads; crop where negative.
    SmallVector<int64_t> low = {0, 0}, high = {0, 0}, cropLow = {0, 0}, cropHigh = {0, 0};
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t k = wType.getDimSize(2 + i);
      int64_t lo = d[i] * (k - 1) - pads[i], hi = d[i] * (k - 1) - pads[spatial + i] + outPad[i];
      low.push_back(std::max<int64_t>(lo, 0));
      high.push_back(std::max<int64_t>(hi, 0));
      cropLow.push_back(std::max<int64_t>(-lo, 0));
      cropHigh.push_back(std::max<int64_t>(-hi, 0));
    }
    Value padded = padConstant(rewriter, loc, dilated, low, high, 0.0);
    if (llvm::any_of(cropLow, [](int64_t v) { return v; }) ||
        llvm::any_of(cropHigh, [](int64_t v) { return v; })) {
      auto pt = typeOf(padded);
      Sizes padSizes = sizesOf(rewriter, loc, padded);
      SmallVector<int64_t> shape;
      SmallVector<OpFoldResult> offsets, cropSizes;
      for (int64_t i = 0; i < pt.getRank(); ++i) {
        int64_t cut = cropLow[i] + cropHigh[i];
        offsets.push_back(rewriter.getIndexAttr(cropLow[i]));
        if (pt.isDynamicDim(i)) {
          shape.push_back(ShapedType::kDynamic);
          cropSizes.push_back(arith::SubIOp::create(rewriter, loc, indexValue(rewriter, loc, padSizes[i]),
                                                    idx(cut))
                                  .getResult());
        } else {
          shape.push_back(pt.getDimSize(i) - cut);
          cropSizes.push_back(rewriter.getIndexAttr(shape.back()));
        }
      }
      padded = tensor::ExtractSliceOp::create(rewriter, loc, RankedTensorType::get(shape, element),
                                              padded, offsets, cropSizes,
                                              SmallVector<OpFoldResult>(pt.getRank(), rewriter.getIndexAttr(1)));
    }
    // 3. Flip the kernel and swap its channel axes per group:
    //    w'[g*Fg + f, c, k...] = w[g*Cg + c, f, K-1-k...].
    MLIRContext *ctx = rewriter.getContext();
    int64_t loops = 3 + spatial;
    SmallVector<AffineExpr> exprs = {getAffineDimExpr(0, ctx) * cg + getAffineDimExpr(2, ctx),
                                     getAffineDimExpr(1, ctx)};
    SmallVector<int64_t> flippedShape = {g, fg, cg};
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t k = wType.getDimSize(2 + i);
      exprs.push_back((k - 1) - getAffineDimExpr(3 + i, ctx));
      flippedShape.push_back(k);
    }
    auto flippedType = RankedTensorType::get(flippedShape, element);
    Value flipped = linalg::GenericOp::create(
                        rewriter, loc, flippedType, weight, emptyTensor(rewriter, loc, flippedType),
                        ArrayRef<AffineMap>{AffineMap::get(loops, 0, exprs, ctx),
                                            rewriter.getMultiDimIdentityMap(loops)},
                        SmallVector<utils::IteratorType>(loops, utils::IteratorType::parallel),
                        [](OpBuilder &nb, Location l, ValueRange a) { linalg::YieldOp::create(nb, l, a[0]); })
                        .getResult(0);
    SmallVector<int64_t> kernelShape = {g * fg, cg};
    kernelShape.append(flippedShape.begin() + 3, flippedShape.end());
    flipped = reshapeTo(rewriter, loc, flipped, kernelShape);
    // 4. A stride-1 convolution with the same dilation.
    SmallVector<int64_t> ones(spatial, 1), noPads(2 * spatial, 0);
    rewriter.replaceOp(op, convolutionNd(rewriter, loc, padded, flipped, op.getBias(), ones, noPads,
                                         d, g, op.getType()));
    return success();
  }
};

} // namespace

void populateConvolutionPatterns(RewritePatternSet &patterns, int64_t vectorBits) {
  patterns.add<LowerConv, LowerConvTranspose>(patterns.getContext(), vectorBits);
}

} // namespace openopt::lowering
