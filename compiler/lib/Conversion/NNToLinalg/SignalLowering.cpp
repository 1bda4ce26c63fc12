//===- SignalLowering.cpp - DFT, STFT, windows, mel filters, TF-IDF -------===//
//
// Direct O(n^2) transforms: each output element sums its input with twiddle
// factors computed in f64 from (j * k mod n), which keeps the angles small.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <numbers>

using namespace mlir;

namespace openopt::lowering {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
Value idx(OpBuilder &b, Location l, int64_t v) { return indexConstant(b, l, v); }
Value f64c(OpBuilder &b, Location l, double v) {
  return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v));
}
Value toF64(OpBuilder &b, Location l, Value index) {
  return arith::SIToFPOp::create(b, l, b.getF64Type(), arith::IndexCastOp::create(b, l, b.getI64Type(), index));
}
Value widen(OpBuilder &b, Location l, Value v) {
  return v.getType().isF64() ? v : Value(arith::ExtFOp::create(b, l, b.getF64Type(), v));
}
Value narrow(OpBuilder &b, Location l, Value v, Type t) {
  return t.isF64() ? v : Value(arith::TruncFOp::create(b, l, t, v));
}

// sum_j x(j) * exp(sign * 2 pi i j k / n), j in [0, count): (re, im).
std::pair<Value, Value> dftSum(OpBuilder &b, Location l, Value k, Value n, Value count, bool inverse,
                               llvm::function_ref<std::pair<Value, Value>(OpBuilder &, Location, Value)> x) {
  auto sums = forLoop(b, l, idx(b, l, 0), count, {f64c(b, l, 0), f64c(b, l, 0)},
                      [&](OpBuilder &ib, Location il, ValueRange j, ValueRange acc) -> SmallVector<Value> {
                        Value phase = arith::RemUIOp::create(ib, il, arith::MulIOp::create(ib, il, j[0], k), n);
                        Value angle = arith::DivFOp::create(
                            ib, il, arith::MulFOp::create(ib, il, f64c(ib, il, (inverse ? 2 : -2) * std::numbers::pi),
                                                          toF64(ib, il, phase)),
                            toF64(ib, il, n));
                        Value c = math::CosOp::create(ib, il, angle), s = math::SinOp::create(ib, il, angle);
                        auto [re, im] = x(ib, il, j[0]);
                        // (re + i im)(c + i s)
                        Value outRe = arith::SubFOp::create(ib, il, arith::MulFOp::create(ib, il, re, c),
                                                            arith::MulFOp::create(ib, il, im, s));
                        Value outIm = arith::AddFOp::create(ib, il, arith::MulFOp::create(ib, il, re, s),
                                                            arith::MulFOp::create(ib, il, im, c));
                        return {arith::AddFOp::create(ib, il, acc[0], outRe),
                                arith::AddFOp::create(ib, il, acc[1], outIm)};
                      });
  return {sums[0], sums[1]};
}

struct LowerDft : OpRewritePattern<nn::DftOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::DftOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inType = typeOf(input);
    int64_t rank = inType.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    Type element = inType.getElementType();
    bool inverse = op.getInverse() != 0, onesided = op.getOnesided() != 0;
    Sizes in = sizesOf(rewriter, loc, input);
    Value n = indexValue(rewriter, loc, in[axis]);
    Value length = op.getDftLength() ? extractIndexAt(rewriter, loc, op.getDftLength(), 0) : n;
    Value count = arith::MinSIOp::create(rewriter, loc, n, length);
    Value channels = indexValue(rewriter, loc, in[rank - 1]);
    Sizes out(in);
    out[axis] = onesided ? Value(arith::AddIOp::create(rewriter, loc,
                                                       arith::DivUIOp::create(rewriter, loc, length, idx(rewriter, loc, 2)),
                                                       idx(rewriter, loc, 1)))
                         : length;
    out[rank - 1] = rewriter.getIndexAttr(2);
    rewriter.replaceOp(op, indexedGenerate(
        rewriter, loc, op.getType(), out, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          auto [re, im] = dftSum(b, l, iv[axis], length, count, inverse,
                                 [&](OpBuilder &ib, Location il, Value j) -> std::pair<Value, Value> {
                                   SmallVector<Value> pos(iv);
                                   pos[axis] = j;
                                   pos[rank - 1] = idx(ib, il, 0);
                                   Value re = widen(ib, il, tensor::ExtractOp::create(ib, il, input, pos));
                                   Value complex = arith::CmpIOp::create(ib, il, arith::CmpIPredicate::eq, channels,
                                                                         idx(ib, il, 2));
                                   pos[rank - 1] = arith::SelectOp::create(ib, il, complex, idx(ib, il, 1), idx(ib, il, 0));
                                   Value im = arith::SelectOp::create(
                                       ib, il, complex, widen(ib, il, tensor::ExtractOp::create(ib, il, input, pos)),
                                       f64c(ib, il, 0));
                                   return {re, im};
                                 });
          Value part = arith::SelectOp::create(
              b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, iv[rank - 1], idx(b, l, 0)), re, im);
          if (inverse)
            part = arith::DivFOp::create(b, l, part, toF64(b, l, length));
          return narrow(b, l, part, element);
        }));
    return success();
  }
};

struct LowerStft : OpRewritePattern<nn::StftOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::StftOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value signal = op.getSignal(), window = op.getWindow();
    Type element = typeOf(signal).getElementType();
    Sizes in = sizesOf(rewriter, loc, signal);
    Value total = indexValue(rewriter, loc, in[1]), channels = indexValue(rewriter, loc, in[2]);
    Value step = extractIndexAt(rewriter, loc, op.getFrameStep(), 0);
    Value frame = op.getFrameLength() ? extractIndexAt(rewriter, loc, op.getFrameLength(), 0)
                                      : tensor::DimOp::create(rewriter, loc, window, 0).getResult();
    runtimeCheck(rewriter, loc,
                 arith::AndIOp::create(rewriter, loc,
                                       arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sgt, step, idx(rewriter, loc, 0)),
                                       arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sle, frame, total)),
                 "frame_step must be positive and the frame no longer than the signal");
    Value frames = arith::AddIOp::create(
        rewriter, loc, arith::DivUIOp::create(rewriter, loc, arith::SubIOp::create(rewriter, loc, total, frame), step),
        idx(rewriter, loc, 1));
    Value bins = op.getOnesided()
                     ? Value(arith::AddIOp::create(rewriter, loc, arith::DivUIOp::create(rewriter, loc, frame, idx(rewriter, loc, 2)),
                                                   idx(rewriter, loc, 1)))
                     : frame;
    Sizes out = {in[0], frames, bins, rewriter.getIndexAttr(2)};
    rewriter.replaceOp(op, indexedGenerate(
        rewriter, loc, op.getType(), out, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          Value start = arith::MulIOp::create(b, l, iv[1], step);
          auto [re, im] = dftSum(b, l, iv[2], frame, frame, false,
                                 [&](OpBuilder &ib, Location il, Value j) -> std::pair<Value, Value> {
                                   Value t = arith::AddIOp::create(ib, il, start, j);
                                   Value w = window ? widen(ib, il, tensor::ExtractOp::create(ib, il, window, ValueRange{j}))
                                                    : f64c(ib, il, 1);
                                   Value re = widen(ib, il, tensor::ExtractOp::create(ib, il, signal, ValueRange{iv[0], t, idx(ib, il, 0)}));
                                   Value complex = arith::CmpIOp::create(ib, il, arith::CmpIPredicate::eq, channels, idx(ib, il, 2));
                                   Value imIdx = arith::SelectOp::create(ib, il, complex, idx(ib, il, 1), idx(ib, il, 0));
                                   Value im = arith::SelectOp::create(
                                       ib, il, complex,
                                       widen(ib, il, tensor::ExtractOp::create(ib, il, signal, ValueRange{iv[0], t, imIdx})),
                                       f64c(ib, il, 0));
                                   return {arith::MulFOp::create(ib, il, re, w), arith::MulFOp::create(ib, il, im, w)};
                                 });
          Value part = arith::SelectOp::create(
              b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, iv[3], idx(b, l, 0)), re, im);
          return narrow(b, l, part, element);
        }));
    return success();
  }
};

struct LowerWindow : OpRewritePattern<nn::WindowOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::WindowOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type element = op.getType().getElementType();
    Value size = extractIndexAt(rewriter, loc, op.getSize(), 0);
    runtimeCheck(rewriter, loc, arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sgt, size, idx(rewriter, loc, 0)),
                 "the window size must be positive");
    StringRef kind = op.getKind();
    bool periodic = op.getPeriodic() != 0;
    Value denom = periodic ? size : arith::SubIOp::create(rewriter, loc, size, idx(rewriter, loc, 1)).getResult();
    rewriter.replaceOp(op, indexedGenerate(
        rewriter, loc, op.getType(), Sizes{size}, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          Value x = arith::DivFOp::create(b, l, arith::MulFOp::create(b, l, f64c(b, l, 2 * std::numbers::pi), toF64(b, l, iv[0])),
                                          toF64(b, l, denom));
          Value c1 = math::CosOp::create(b, l, x);
          Value v;
          if (kind == "hann") {
            v = arith::SubFOp::create(b, l, f64c(b, l, 0.5), arith::MulFOp::create(b, l, f64c(b, l, 0.5), c1));
          } else if (kind == "hamming") {
            v = arith::SubFOp::create(b, l, f64c(b, l, 25.0 / 46.0), arith::MulFOp::create(b, l, f64c(b, l, 21.0 / 46.0), c1));
          } else {
            Value c2 = math::CosOp::create(b, l, arith::MulFOp::create(b, l, f64c(b, l, 2), x));
            v = arith::AddFOp::create(
                b, l, arith::SubFOp::create(b, l, f64c(b, l, 0.42), arith::MulFOp::create(b, l, f64c(b, l, 0.5), c1)),
                arith::MulFOp::create(b, l, f64c(b, l, 0.08), c2));
          }
          if (isa<FloatType>(element))
            return narrow(b, l, v, element);
          return arith::FPToSIOp::create(b, l, element, v);
        }));
    return success();
  }
};

// The triangular filters of ONNX's reference: band edges on the mel scale,
// mapped to DFT bins with floor((dft_length + 1) * hz / sample_rate).
struct LowerMelWeightMatrix : OpRewritePattern<nn::MelWeightMatrixOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::MelWeightMatrixOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type element = op.getType().getElementType();
    Value bands = extractIndexAt(rewriter, loc, op.getNumMelBins(), 0);
    Value length = extractIndexAt(rewriter, loc, op.getDftLength(), 0);
    Value rate = extractIndexAt(rewriter, loc, op.getSampleRate(), 0);
    auto hz = [&](Value t) { return widen(rewriter, loc, extractScalar(rewriter, loc, t)); };
    Value lowHz = hz(op.getLowerEdgeHertz()), highHz = hz(op.getUpperEdgeHertz());
    auto melOf = [&](OpBuilder &b, Location l, Value f) {
      // 2595 * log10(1 + f / 700)
      return arith::MulFOp::create(
          b, l, f64c(b, l, 2595.0 / std::log(10.0)),
          math::Log1pOp::create(b, l, arith::DivFOp::create(b, l, f, f64c(b, l, 700))));
    };
    Value lowMel = melOf(rewriter, loc, lowHz), highMel = melOf(rewriter, loc, highHz);
    Value step = arith::DivFOp::create(rewriter, loc, arith::SubFOp::create(rewriter, loc, highMel, lowMel),
                                       toF64(rewriter, loc, arith::AddIOp::create(rewriter, loc, bands, idx(rewriter, loc, 2))));
    Value rows = arith::AddIOp::create(rewriter, loc, arith::DivUIOp::create(rewriter, loc, length, idx(rewriter, loc, 2)),
                                       idx(rewriter, loc, 1));
    rewriter.replaceOp(op, indexedGenerate(
        rewriter, loc, op.getType(), Sizes{rows, bands}, [&](OpBuilder &b, Location l, ArrayRef<Value> iv) -> Value {
          auto edge = [&](int64_t offset) -> Value {
            Value m = toF64(b, l, arith::AddIOp::create(b, l, iv[1], idx(b, l, offset)));
            Value mel = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, m, step), lowMel);
            Value f = arith::MulFOp::create(
                b, l, f64c(b, l, 700),
                arith::SubFOp::create(b, l,
                                      math::ExpOp::create(b, l, arith::MulFOp::create(b, l, mel, f64c(b, l, std::log(10.0) / 2595.0))),
                                      f64c(b, l, 1)));
            Value scaled = arith::DivFOp::create(
                b, l, arith::MulFOp::create(b, l, toF64(b, l, arith::AddIOp::create(b, l, length, idx(b, l, 1))), f),
                toF64(b, l, rate));
            return arith::FPToSIOp::create(b, l, b.getI64Type(), math::FloorOp::create(b, l, scaled));
          };
          Value lo = edge(0), center = edge(1), hi = edge(2);
          Value j = arith::IndexCastOp::create(b, l, b.getI64Type(), iv[0]);
          auto f = [&](Value v) { return arith::SIToFPOp::create(b, l, b.getF64Type(), v).getResult(); };
          auto le = [&](Value x, Value y) { return arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, x, y).getResult(); };
          auto lt = [&](Value x, Value y) { return arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, x, y).getResult(); };
          Value lowToCenter = arith::SubIOp::create(b, l, center, lo);
          Value centerToHigh = arith::SubIOp::create(b, l, hi, center);
          Value zero = scalarConstant(b, l, b.getI64Type(), 0);
          Value rising = arith::AndIOp::create(b, l, le(lo, j), le(j, center));
          Value up = arith::SelectOp::create(
              b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, lowToCenter, zero),
              arith::SelectOp::create(b, l, arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, j, center),
                                      f64c(b, l, 1), f64c(b, l, 0)),
              arith::DivFOp::create(b, l, f(arith::SubIOp::create(b, l, j, lo)), f(lowToCenter)));
          Value falling = arith::AndIOp::create(b, l, arith::AndIOp::create(b, l, lt(zero, centerToHigh), le(center, j)),
                                                lt(j, hi));
          Value down = arith::DivFOp::create(b, l, f(arith::SubIOp::create(b, l, hi, j)), f(centerToHigh));
          Value v = arith::SelectOp::create(b, l, falling, down,
                                            arith::SelectOp::create(b, l, rising, up, f64c(b, l, 0)));
          if (isa<FloatType>(element))
            return narrow(b, l, v, element);
          return arith::FPToSIOp::create(b, l, element, v);
        }));
    return success();
  }
};

// Per row: every n-gram of the pool (lengths min..max, with 0..max_skip
// tokens skipped between members; unigrams once) counted at its column.
struct LowerTfIdfVectorizer : OpRewritePattern<nn::TfIdfVectorizerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nn::TfIdfVectorizerOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inType = typeOf(input);
    bool batched = inType.getRank() == 2;
    auto pool = op.getPoolInt64s(), counts = op.getNgramCounts(), indexes = op.getNgramIndexes();
    int64_t minLen = op.getMinGramLength(), maxLen = op.getMaxGramLength(), maxSkip = op.getMaxSkipCount();
    // Pattern p: its tokens start at starts[p], length lengths[p], column indexes[p].
    SmallVector<int64_t> starts, lengths;
    for (size_t g = 0; g < counts.size(); ++g) {
      int64_t begin = counts[g];
      int64_t end = g + 1 < counts.size() ? counts[g + 1] : (int64_t)pool.size();
      int64_t n = g + 1;
      for (int64_t s = begin; s + n <= end; s += n) {
        starts.push_back(s);
        lengths.push_back(n);
      }
    }
    if (starts.size() != indexes.size())
      return op.emitError("TfIdfVectorizer: ngram_indexes has ") << indexes.size()
             << " entries for " << starts.size() << " n-grams", failure();
    auto constant = [&](ArrayRef<int64_t> values) {
      auto t = RankedTensorType::get({(int64_t)values.size()}, rewriter.getI64Type());
      return arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(t, values)).getResult();
    };
    Value poolT = constant(pool), startT = constant(starts), lenT = constant(lengths), colT = constant(indexes);
    SmallVector<float> weights;
    for (Attribute w : op.getWeights())
      weights.push_back(cast<FloatAttr>(w).getValueAsDouble());
    StringRef mode = op.getMode();
    auto outType = op.getType();
    Type f32 = outType.getElementType();
    Value rowLen = tensor::DimOp::create(rewriter, loc, input, batched ? 1 : 0);
    Value rowsCount = batched ? tensor::DimOp::create(rewriter, loc, input, 0).getResult() : idx(rewriter, loc, 1);
    Sizes outSizes;
    if (batched)
      outSizes.push_back(rowsCount);
    outSizes.push_back(rewriter.getIndexAttr(outType.getDimSize(outType.getRank() - 1)));
    Value counted = filledTensor(rewriter, loc, outType, outSizes, scalarConstant(rewriter, loc, f32, 0));
    Value numPatterns = idx(rewriter, loc, starts.size());
    auto token = [&](OpBuilder &b, Location l, Value row, Value i) -> Value {
      Value v = batched ? tensor::ExtractOp::create(b, l, input, ValueRange{row, i})
                        : tensor::ExtractOp::create(b, l, input, ValueRange{i});
      return v.getType().isInteger(64) ? v : Value(arith::ExtSIOp::create(b, l, b.getI64Type(), v));
    };
    auto result = loopNest(
        rewriter, loc, {rowsCount, rowLen, idx(rewriter, loc, maxSkip + 1), numPatterns}, {counted},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange acc) -> SmallVector<Value> {
          Value row = iv[0], start = iv[1], skip = iv[2], p = iv[3];
          Value n = arith::IndexCastOp::create(b, l, b.getIndexType(), tensor::ExtractOp::create(b, l, lenT, p));
          Value first = arith::IndexCastOp::create(b, l, b.getIndexType(), tensor::ExtractOp::create(b, l, startT, p));
          Value gap = arith::AddIOp::create(b, l, skip, idx(b, l, 1));
          // In range, a length we count, and unigrams only at skip 0.
          Value lastPos = arith::AddIOp::create(b, l, start, arith::MulIOp::create(b, l, arith::SubIOp::create(b, l, n, idx(b, l, 1)), gap));
          Value ok = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, lastPos, rowLen);
          ok = arith::AndIOp::create(b, l, ok, arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, n, idx(b, l, minLen)));
          ok = arith::AndIOp::create(b, l, ok, arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, n, idx(b, l, maxLen)));
          Value unigram = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, n, idx(b, l, 1));
          ok = arith::AndIOp::create(b, l, ok,
                                     arith::OrIOp::create(b, l, arith::XOrIOp::create(b, l, unigram, arith::ConstantIntOp::create(b, l, 1, 1)),
                                                          arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, skip, idx(b, l, 0))));
          auto branch = scf::IfOp::create(
              b, l, ok,
              [&](OpBuilder &tb, Location tl) {
                Value match = forLoop(tb, tl, idx(tb, tl, 0), n, {arith::ConstantIntOp::create(tb, tl, 1, 1)},
                                      [&](OpBuilder &mb, Location ml, ValueRange k, ValueRange m) -> SmallVector<Value> {
                                        Value pos = arith::AddIOp::create(mb, ml, start, arith::MulIOp::create(mb, ml, k[0], gap));
                                        Value want = tensor::ExtractOp::create(mb, ml, poolT,
                                                                               ValueRange{arith::AddIOp::create(mb, ml, first, k[0])});
                                        Value same = arith::CmpIOp::create(mb, ml, arith::CmpIPredicate::eq,
                                                                           token(mb, ml, row, pos), want);
                                        return {arith::AndIOp::create(mb, ml, m[0], same)};
                                      })[0];
                Value col = arith::IndexCastOp::create(tb, tl, tb.getIndexType(), tensor::ExtractOp::create(tb, tl, colT, p));
                SmallVector<Value> at;
                if (batched)
                  at.push_back(row);
                at.push_back(col);
                Value old = tensor::ExtractOp::create(tb, tl, acc[0], at);
                Value bumped = arith::SelectOp::create(tb, tl, match,
                                                       arith::AddFOp::create(tb, tl, old, scalarConstant(tb, tl, f32, 1)), old);
                scf::YieldOp::create(tb, tl, ValueRange{tensor::InsertOp::create(tb, tl, bumped, acc[0], at)});
              },
              [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, ValueRange{acc[0]}); });
          return {branch.getResult(0)};
        });
    Value tf = result[0];
    if (mode != "TF") {
      // Weights per column (1 when absent).
      SmallVector<float> byColumn(outType.getDimSize(outType.getRank() - 1), 1.0f);
      for (size_t p = 0; p < indexes.size() && p < weights.size(); ++p)
        byColumn[indexes[p]] = weights[p];
      auto wType = RankedTensorType::get({(int64_t)byColumn.size()}, f32);
      Value w = arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(wType, ArrayRef<float>(byColumn)));
      bool idf = mode == "IDF";
      tf = elementwise(rewriter, loc, outType, {tf, w}, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (!idf)
          return arith::MulFOp::create(b, l, a[0], a[1]);
        Value seen = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, a[0], scalarConstant(b, l, f32, 0));
        return arith::SelectOp::create(b, l, seen, a[1], scalarConstant(b, l, f32, 0));
      });
    }
    rewriter.replaceOp(op, tf);
    return success();
  }
};

} // namespace

void populateSignalPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerDft, LowerStft, LowerWindow, LowerMelWeightMatrix, LowerTfIdfVectorizer>(
      patterns.getContext());
}

} // namespace openopt::lowering
