//===- FoldBatchNorm.cpp - the openopt-fold-batchnorm pass ----------------===//
#include "openopt/Transforms/Passes.h"

#include "openopt/Dialect/NN/ConstantData.h"
#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <cstring>

using namespace mlir;

namespace openopt {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "openopt/Transforms/Passes.h.inc"

namespace {

// Per-channel a = scale / sqrt(var + eps), b = bias - mean * a.
struct Affine {
  std::vector<float> a, b;
};

std::optional<Affine> batchNormAffine(nn::BatchNormOp bn) {
  auto scale = nn::constantFloats(bn.getScale()), bias = nn::constantFloats(bn.getBias());
  auto mean = nn::constantFloats(bn.getMean()), var = nn::constantFloats(bn.getVariance());
  if (!scale || !bias || !mean || !var)
    return std::nullopt;
  double eps = bn.getEpsilon().convertToDouble();
  Affine affine;
  for (size_t c = 0; c < scale->size(); ++c) {
    double a = (*scale)[c] / std::sqrt(double((*var)[c]) + eps);
    affine.a.push_back(float(a));
    affine.b.push_back(float((*bias)[c] - (*mean)[c] * a));
  }
  return affine;
}

Value makeConstant(PatternRewriter &rewriter, Location loc, RankedTensorType type,
                   ArrayRef<float> values, StringRef hint) {
  return nn::ConstantOp::create(rewriter, loc, nn::makeFloatConstant(type, values, hint));
}

/// An f32 constant's elements, read where they are when it has its own
/// bytes (no copy of large weights), else expanded into `storage`.
std::optional<const char *> floatBytes(Value value, std::vector<float> &storage) {
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  auto type = cast<ShapedType>(attr.getType());
  if (!type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  if (auto bytes = nn::rawBytes(attr); bytes && bytes->size() == size_t(type.getNumElements()) * 4)
    return bytes->data();
  auto values = nn::readFloats(attr);
  if (!values)
    return std::nullopt;
  storage = std::move(*values);
  return reinterpret_cast<const char *>(storage.data());
}

/// A constant of `type` holding the floats at `in`, element i multiplied
/// by scale[(i / inner) % scale.size()]: runs of `inner` elements share a
/// scale, and the scales repeat.
Value scaledWeights(PatternRewriter &rewriter, Location loc, RankedTensorType type,
                    const char *in, StringRef hint, int64_t inner, ArrayRef<float> scale) {
  int64_t count = type.getNumElements();
  auto attr = nn::makeConstantWith(type, size_t(count) * 4, hint, [&](MutableArrayRef<char> out) {
    int64_t i = 0;
    while (i < count)
      for (size_t p = 0; p < scale.size() && i < count; ++p)
        for (int64_t t = 0; t < inner && i < count; ++t, ++i) {
          float x;
          std::memcpy(&x, in + i * 4, 4);
          x *= scale[p];
          std::memcpy(out.data() + i * 4, &x, 4);
        }
  });
  return nn::ConstantOp::create(rewriter, loc, attr);
}

struct FoldIntoConv : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp bn, PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<nn::ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a Conv used only here");
    // BatchNormalization normalises axis 1; a channels-last Conv's channels
    // are its last axis (and its weight is laid out [KH, KW, C, F]).
    if (conv.getChannelsLast())
      return rewriter.notifyMatchFailure(bn, "the Conv is channels-last");
    std::vector<float> storage;
    auto weights = floatBytes(conv.getWeight(), storage);
    auto affine = batchNormAffine(bn);
    if (!weights || !affine)
      return rewriter.notifyMatchFailure(bn, "weights or parameters are not f32 constants");
    auto weightType = conv.getWeight().getType();
    int64_t filters = weightType.getDimSize(0);
    if ((int64_t)affine->a.size() != filters)
      return failure();
    std::vector<float> bias(filters, 0.0f);
    if (conv.getBias()) {
      auto b = nn::constantFloats(conv.getBias());
      if (!b)
        return rewriter.notifyMatchFailure(bn, "the Conv bias is not an f32 constant");
      bias = *b;
    }
    int64_t perFilter = weightType.getNumElements() / filters;
    for (int64_t f = 0; f < filters; ++f)
      bias[f] = bias[f] * affine->a[f] + affine->b[f];
    Location loc = rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()});
    StringRef hint = nn::constantNameHint(conv.getWeight(), "constant");
    Value w = scaledWeights(rewriter, loc, weightType, *weights, hint, perFilter, affine->a);
    Value b = makeConstant(rewriter, loc, RankedTensorType::get({filters}, rewriter.getF32Type()),
                           bias, hint);
    auto folded = nn::ConvOp::create(rewriter, loc, conv.getType(), conv.getInput(), w, b,
                                     conv.getStridesAttr(), conv.getPadsAttr(),
                                     conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(conv);
    return success();
  }
};

// Gemm output [M, N]: BatchNormalization's channels are the N columns.
struct FoldIntoGemm : OpRewritePattern<nn::BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::BatchNormOp bn, PatternRewriter &rewriter) const override {
    auto gemm = bn.getInput().getDefiningOp<nn::GemmOp>();
    if (!gemm || !gemm->hasOneUse() || bn.getType().getRank() != 2)
      return rewriter.notifyMatchFailure(bn, "input is not a Gemm used only here");
    std::vector<float> storage;
    auto weights = floatBytes(gemm.getB(), storage);
    auto affine = batchNormAffine(bn);
    if (!weights || !affine)
      return rewriter.notifyMatchFailure(bn, "weights or parameters are not f32 constants");
    int64_t n = bn.getType().getDimSize(1);
    auto bType = gemm.getB().getType();
    bool transB = gemm.getTransB() != 0;
    int64_t k = bType.getNumElements() / n;
    // New C: (beta * C + ...) scaled, as a [N] vector; alpha stays on A x B.
    double beta = gemm.getBeta().convertToDouble();
    std::vector<float> c(n, 0.0f);
    if (Value cv = gemm.getC()) {
      auto cValues = nn::constantFloats(cv);
      if (!cValues || (cValues->size() != 1 && (int64_t)cValues->size() != n))
        return rewriter.notifyMatchFailure(bn, "C is not a constant vector");
      for (int64_t j = 0; j < n; ++j)
        c[j] = float(beta * (*cValues)[cValues->size() == 1 ? 0 : j]);
    }
    for (int64_t j = 0; j < n; ++j)
      c[j] = c[j] * affine->a[j] + affine->b[j];
    Location loc = rewriter.getFusedLoc({gemm.getLoc(), bn.getLoc()});
    StringRef hint = nn::constantNameHint(gemm.getB(), "constant");
    // Column j of op(B) scaled by a[j]: B is [N, K] when transposed, else [K, N].
    Value b = scaledWeights(rewriter, loc, bType, *weights, hint, transB ? k : 1, affine->a);
    Value cNew = makeConstant(rewriter, loc, RankedTensorType::get({n}, rewriter.getF32Type()), c,
                              hint);
    auto folded = nn::GemmOp::create(rewriter, loc, gemm.getType(), gemm.getA(), b, cNew,
                                     gemm.getAlphaAttr(), rewriter.getF32FloatAttr(1.0f),
                                     gemm.getTransAAttr(), gemm.getTransBAttr());
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(gemm);
    return success();
  }
};

struct FoldBatchNormPass : impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoConv, FoldIntoGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace openopt
