//===- ResizeTables.cpp - Resize through tables made at compile time ------===//
//
// Computing an output's source coordinate takes a float division, a floor
// and two conversions per axis, for every output element: over half of a
// linear x2 upsampling's time. With static shapes and scales the
// coordinates depend on the output index along one axis only, so they are
// computed here, in f32 with the same operations (one per statement, so that
// nothing is contracted into an FMA) as the in-loop lowering, whose rounding
// they must reproduce: a nearest tap that rounds differently picks another
// pixel.
//
//===----------------------------------------------------------------------===//
#include "ResizeTables.h"

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

using namespace mlir;

namespace openopt::lowering {
namespace {

// The source coordinate of output index x (coordinate_transformation_mode).
std::optional<float> sourceCoordinate(StringRef mode, float x, float scale, float in) {
  float outSize = in * scale; // ONNX's "resized length", not rounded
  if (mode == "asymmetric")
    return x / scale;
  if (mode == "align_corners") {
    if (outSize <= 1.0f)
      return 0.0f;
    float span = in - 1.0f;
    float denom = outSize - 1.0f;
    float ratio = span / denom;
    return x * ratio;
  }
  float shifted = x + 0.5f;
  float scaled = shifted / scale;
  if (mode == "tf_half_pixel_for_nn")
    return scaled;
  float centre = scaled - 0.5f;
  if (mode == "half_pixel")
    return centre;
  if (mode == "pytorch_half_pixel")
    return outSize <= 1.0f ? 0.0f : centre;
  if (mode == "half_pixel_symmetric") {
    float inScaled = in * scale;
    float adj = outSize / inScaled;
    float half = in * 0.5f;
    float keep = 1.0f - adj;
    float offset = half * keep;
    return offset + centre;
  }
  return std::nullopt;
}

Value tableConstant(OpBuilder &b, Location loc, ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, b.getI32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

Value tableConstant(OpBuilder &b, Location loc, ArrayRef<float> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, b.getF32Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, values));
}

// Per resized axis: the source taps' tables (one for nearest, two for
// linear) and, for linear, the high tap's weight.
struct AxisTables {
  bool resized = false;
  Value low, high, weight;
};

} // namespace

std::optional<Value> resizeByTables(OpBuilder &b, Location loc, nn::ResizeOp op) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = op.getType();
  bool linear = op.getMode() == "linear";
  if ((!linear && op.getMode() != "nearest") || op.getDynamicScales() || op.getDynamicSizes() ||
      op.getRoi() || !inType.hasStaticShape() || !outType.hasStaticShape() ||
      !isa<FloatType>(inType.getElementType()) || inType.getElementType().isF64())
    return std::nullopt;
  StringRef mode = op.getCoordinateTransformationMode(), nearest = op.getNearestMode();
  int64_t rank = inType.getRank();
  SmallVector<AxisTables> axes(rank);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t in = inType.getDimSize(i), out = outType.getDimSize(i);
    // Taps are i32 table entries; an empty axis has none to take.
    if (in == 0 || in > INT32_MAX)
      return std::nullopt;
    float scale = op.getSizes() ? float(double((*op.getSizes())[i]) / double(in))
                                : float(op.getScales()[i]);
    if (in == out && scale == 1.0f)
      continue;
    SmallVector<int32_t> low, high;
    SmallVector<float> weight;
    for (int64_t o = 0; o < out; ++o) {
      std::optional<float> src = sourceCoordinate(mode, float(o), scale, float(in));
      if (!src)
        return std::nullopt;
      // Into [0, in - 1] before converting: a float out of int64_t's range
      // (or NaN, from a degenerate scale) must not reach the conversion.
      auto clamp = [&](float v) -> int32_t {
        if (!(v > 0.0f))
          return 0;
        return v >= float(in - 1) ? int32_t(in - 1) : int32_t(v);
      };
      if (linear) {
        float xs = std::max(*src, 0.0f);
        float fl = std::floor(xs);
        int32_t lo = clamp(fl);
        low.push_back(lo);
        high.push_back(std::min<int32_t>(lo + 1, int32_t(in - 1)));
        weight.push_back(xs - fl);
        continue;
      }
      float r;
      if (nearest == "floor")
        r = std::floor(*src);
      else if (nearest == "ceil")
        r = std::ceil(*src);
      else if (nearest == "round_prefer_ceil") {
        float up = *src + 0.5f;
        r = std::floor(up);
      } else {
        float down = *src - 0.5f;
        r = std::ceil(down);
      }
      low.push_back(clamp(r));
    }
    axes[i].resized = true;
    axes[i].low = tableConstant(b, loc, low);
    if (linear) {
      axes[i].high = tableConstant(b, loc, high);
      axes[i].weight = tableConstant(b, loc, weight);
    }
  }

  Type element = inType.getElementType(), f32 = b.getF32Type();
  Value input = op.getInput();
  return indexedGenerate(b, loc, outType, [&](OpBuilder &nb, Location nloc, ArrayRef<Value> iv) {
    auto tap = [&](Value table, Value at) -> Value {
      Value v = tensor::ExtractOp::create(nb, nloc, table, ValueRange{at});
      return arith::IndexCastOp::create(nb, nloc, nb.getIndexType(), v);
    };
    SmallVector<Value> low(iv), high(iv), weights(rank);
    SmallVector<int64_t> blended;
    for (int64_t i = 0; i < rank; ++i) {
      if (!axes[i].resized)
        continue;
      low[i] = tap(axes[i].low, iv[i]);
      if (!linear)
        continue;
      high[i] = tap(axes[i].high, iv[i]);
      weights[i] = tensor::ExtractOp::create(nb, nloc, axes[i].weight, ValueRange{iv[i]});
      blended.push_back(i);
    }
    if (blended.empty())
      return tensor::ExtractOp::create(nb, nloc, input, low).getResult();
    // Sum over the 2^k corners in f32, weights multiplied in axis order,
    // as the in-loop lowering does.
    Value one = scalarConstant(nb, nloc, f32, 1.0), acc = scalarConstant(nb, nloc, f32, 0.0);
    for (int64_t corner = 0; corner < (int64_t(1) << blended.size()); ++corner) {
      SmallVector<Value> pos(low);
      Value weight = one;
      for (auto [bit, i] : llvm::enumerate(blended)) {
        bool up = (corner >> bit) & 1;
        pos[i] = up ? high[i] : low[i];
        Value w = up ? weights[i] : arith::SubFOp::create(nb, nloc, one, weights[i]).getResult();
        weight = arith::MulFOp::create(nb, nloc, weight, w);
      }
      Value v = tensor::ExtractOp::create(nb, nloc, input, pos);
      if (element != f32)
        v = arith::ExtFOp::create(nb, nloc, f32, v);
      acc = arith::AddFOp::create(nb, nloc, acc, arith::MulFOp::create(nb, nloc, v, weight));
    }
    return element == f32 ? acc : arith::TruncFOp::create(nb, nloc, element, acc).getResult();
  });
}

} // namespace openopt::lowering
