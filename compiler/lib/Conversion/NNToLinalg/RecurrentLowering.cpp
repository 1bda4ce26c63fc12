//===- RecurrentLowering.cpp - RNN, GRU and LSTM --------------------------===//
//
// Per direction: X W^T (+ biases) for all steps in one matmul, then an
// scf.for over time whose body is nn math (matmul with R, gates,
// activations) that the other patterns lower. A reverse direction runs
// forward over each batch entry's sequence reversed (nn.reverse_sequence),
// and its outputs are reversed back. Steps past sequence_lens[b] keep the
// state and write zeros.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "Patterns.h"

#include "openopt/Dialect/NN/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace openopt::lowering {
namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }
Value idx(OpBuilder &b, Location l, int64_t v) { return indexConstant(b, l, v); }

// Builds nn math on tensors of one float type.
class Math {
public:
  Math(OpBuilder &b, Location loc, Type element) : b(b), loc(loc), element(element) {}
  RankedTensorType like(Value v) { return typeOf(v); }
  Value add(Value x, Value y) { return bin<nn::AddOp>(x, y); }
  Value sub(Value x, Value y) { return bin<nn::SubOp>(x, y); }
  Value mul(Value x, Value y) { return bin<nn::MulOp>(x, y); }
  Value scalar(double v) {
    return nn::ConstantOp::create(b, loc, DenseElementsAttr::get(RankedTensorType::get({}, element),
                                                                  b.getFloatAttr(element, v)));
  }
  Value matmul(Value x, Value y) { // [.., M, K] x [K, N]
    auto xt = typeOf(x), yt = typeOf(y);
    SmallVector<int64_t> shape(xt.getShape().drop_back());
    shape.push_back(yt.getDimSize(1));
    return nn::MatMulOp::create(b, loc, RankedTensorType::get(shape, element), x, y);
  }
  Value transpose(Value x) {
    auto t = typeOf(x);
    return nn::TransposeOp::create(b, loc, RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)}, element),
                                   x, b.getDenseI64ArrayAttr({1, 0}));
  }
  // The named ONNX activation.
  Value activate(StringRef name, Value x, float alpha, float beta) {
    auto t = typeOf(x);
    if (name == "Sigmoid")
      return nn::SigmoidOp::create(b, loc, t, x);
    if (name == "Tanh")
      return nn::TanhOp::create(b, loc, t, x);
    if (name == "Relu")
      return nn::ReluOp::create(b, loc, t, x);
    if (name == "Affine")
      return add(mul(x, scalar(alpha)), scalar(beta));
    if (name == "LeakyRelu")
      return nn::LeakyReluOp::create(b, loc, t, x, b.getF32FloatAttr(alpha));
    if (name == "ThresholdedRelu")
      return nn::ThresholdedReluOp::create(b, loc, t, x, b.getF32FloatAttr(alpha));
    if (name == "ScaledTanh")
      return mul(scalar(alpha), nn::TanhOp::create(b, loc, t, mul(x, scalar(beta))));
    if (name == "HardSigmoid")
      return nn::HardSigmoidOp::create(b, loc, t, x, b.getF32FloatAttr(alpha), b.getF32FloatAttr(beta));
    if (name == "Elu")
      return nn::EluOp::create(b, loc, t, x, b.getF32FloatAttr(alpha));
    if (name == "Softsign")
      return nn::SoftsignOp::create(b, loc, t, x);
    return nn::SoftplusOp::create(b, loc, t, x);
  }
  Value clip(Value x, std::optional<float> limit) {
    if (!limit)
      return x;
    return nn::ClipOp::create(b, loc, typeOf(x), x, b.getF64FloatAttr(-*limit), b.getF64FloatAttr(*limit));
  }

private:
  template <typename OpTy> Value bin(Value x, Value y) {
    auto tx = typeOf(x), ty = typeOf(y);
    auto shape = tx.getRank() >= ty.getRank() ? tx.getShape() : ty.getShape();
    SmallVector<int64_t> out(shape);
    // Both are broadcast-compatible by construction; prefer static sizes.
    int64_t rank = out.size();
    for (int64_t i = 0; i < rank; ++i) {
      int64_t a = i - (rank - tx.getRank()) >= 0 ? tx.getDimSize(i - (rank - tx.getRank())) : 1;
      int64_t c = i - (rank - ty.getRank()) >= 0 ? ty.getDimSize(i - (rank - ty.getRank())) : 1;
      out[i] = a == 1 ? c : c == 1 ? a : ShapedType::isDynamic(a) ? c : a;
    }
    return OpTy::create(b, loc, RankedTensorType::get(out, element), x, y);
  }
  OpBuilder &b;
  Location loc;
  Type element;
};

// Rows [from, from + count) of axis 0 of a [D, ...] tensor, axis 0 dropped
// when count == 1.
Value take(OpBuilder &b, Location l, Value v, OpFoldResult from, int64_t count, bool drop) {
  auto t = typeOf(v);
  Sizes offsets(t.getRank(), b.getIndexAttr(0)), sizes = sizesOf(b, l, v);
  offsets[0] = from;
  sizes[0] = b.getIndexAttr(count);
  Value s = tensor::ExtractSliceOp::create(b, l, v, offsets, sizes, Sizes(t.getRank(), b.getIndexAttr(1)));
  return drop ? dropUnitAxes(b, l, s, {0}) : s;
}

// Columns [g * h, (g + 1) * h) of the last axis.
Value gate(OpBuilder &b, Location l, Value v, int64_t g, int64_t h) {
  auto t = typeOf(v);
  int64_t r = t.getRank();
  Sizes offsets(r, b.getIndexAttr(0)), sizes = sizesOf(b, l, v);
  offsets[r - 1] = b.getIndexAttr(g * h);
  sizes[r - 1] = b.getIndexAttr(h);
  return tensor::ExtractSliceOp::create(b, l, v, offsets, sizes, Sizes(r, b.getIndexAttr(1)));
}

template <typename OpTy>
struct LowerRecurrent : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    constexpr bool isLstm = std::is_same_v<OpTy, nn::LstmOp>;
    constexpr bool isGru = std::is_same_v<OpTy, nn::GruOp>;
    constexpr int64_t gates = isLstm ? 4 : isGru ? 3 : 1;
    Location loc = op.getLoc();
    auto &b = rewriter;
    Value x = op.getX();
    Type element = typeOf(x).getElementType();
    Math m(b, loc, element);
    int64_t hidden = op.getHiddenSize();
    bool layout = op.getLayout() != 0;
    StringRef direction = op.getDirection();
    int64_t dirs = direction == "bidirectional" ? 2 : 1;
    std::optional<float> clip;
    if (auto c = op.getClip())
      clip = c->convertToFloat();
    SmallVector<StringRef> acts;
    for (Attribute a : op.getActivations())
      acts.push_back(cast<StringAttr>(a).getValue());
    auto alphas = op.getActivationAlpha(), betas = op.getActivationBeta();
    int64_t perDir = acts.size() / dirs;
    // X as [S, B, I].
    if (layout) {
      auto t = typeOf(x);
      x = nn::TransposeOp::create(b, loc,
                                  RankedTensorType::get({t.getDimSize(1), t.getDimSize(0), t.getDimSize(2)}, element),
                                  x, b.getDenseI64ArrayAttr({1, 0, 2}));
    }
    auto xType = typeOf(x);
    Sizes xSizes = sizesOf(b, loc, x);
    Value seqLen = indexValue(b, loc, xSizes[0]);
    OpFoldResult batch = xSizes[1], seqSize = xSizes[0];
    int64_t batchStatic = xType.getDimSize(1);
    auto stateType = RankedTensorType::get({batchStatic, hidden}, element);
    Value lens = op.getSequenceLens();
    // Per step and batch entry: still inside its sequence?
    Value activeMask;
    if (lens) {
      auto maskType = RankedTensorType::get({xType.getDimSize(0), batchStatic}, b.getI1Type());
      activeMask = indexedGenerate(b, loc, maskType, Sizes{seqSize, batch},
                                   [&](OpBuilder &ib, Location il, ArrayRef<Value> iv) -> Value {
                                     Value len = tensor::ExtractOp::create(ib, il, lens, iv[1]);
                                     len = arith::IndexCastOp::create(ib, il, ib.getIndexType(), len);
                                     return arith::CmpIOp::create(ib, il, arith::CmpIPredicate::slt, iv[0], len);
                                   });
    }
    auto yType = RankedTensorType::get({xType.getDimSize(0), dirs, batchStatic, hidden}, element);
    Value y = filledTensor(b, loc, yType, Sizes{seqSize, b.getIndexAttr(dirs), batch, b.getIndexAttr(hidden)},
                           scalarConstant(b, loc, element, 0));
    SmallVector<Value> lastH, lastC;
    for (int64_t d = 0; d < dirs; ++d) {
      bool reverse = direction == "reverse" || d == 1;
      auto actAt = [&](int64_t k) {
        int64_t i = d * perDir + k;
        float alpha = i < (int64_t)alphas.size() ? cast<FloatAttr>(alphas[i]).getValueAsDouble() : 0.f;
        float beta = i < (int64_t)betas.size() ? cast<FloatAttr>(betas[i]).getValueAsDouble() : 0.f;
        // Defaults of the parametrised activations (ONNX's recurrent ops).
        if (i >= (int64_t)alphas.size()) {
          if (acts[i] == "LeakyRelu")
            alpha = 0.01f;
          else if (acts[i] == "HardSigmoid")
            alpha = 0.2f, beta = 0.5f;
          else if (acts[i] == "ThresholdedRelu" || acts[i] == "Elu" || acts[i] == "Affine" ||
                   acts[i] == "ScaledTanh")
            alpha = 1.0f;
        }
        return std::make_tuple(acts[i], alpha, beta);
      };
      auto act = [&](int64_t k, Value v) {
        auto [name, alpha, beta] = actAt(k);
        return m.activate(name, v, alpha, beta);
      };
      Value w = take(b, loc, op.getW(), b.getIndexAttr(d), 1, true); // [G*H, I]
      Value r = take(b, loc, op.getR(), b.getIndexAttr(d), 1, true); // [G*H, H]
      Value wb, rb;
      if (Value bias = op.getB()) {
        Value bd = take(b, loc, bias, b.getIndexAttr(d), 1, true); // [2*G*H]
        auto bt = typeOf(bd);
        auto halfType = RankedTensorType::get({gates * hidden}, element);
        wb = tensor::ExtractSliceOp::create(b, loc, halfType, bd, Sizes{b.getIndexAttr(0)},
                                            Sizes{b.getIndexAttr(gates * hidden)}, Sizes{b.getIndexAttr(1)});
        rb = tensor::ExtractSliceOp::create(b, loc, halfType, bd, Sizes{b.getIndexAttr(gates * hidden)},
                                            Sizes{b.getIndexAttr(gates * hidden)}, Sizes{b.getIndexAttr(1)});
        (void)bt;
      }
      Value xs = x;
      if (reverse && lens)
        xs = nn::ReverseSequenceOp::create(b, loc, typeOf(x), x, lens, b.getI64IntegerAttr(1),
                                           b.getI64IntegerAttr(0));
      // All steps' input products: [S, B, G*H] (+ Wb, + Rb except GRU's h).
      Value xw = m.matmul(xs, m.transpose(w));
      if (wb)
        xw = m.add(xw, wb);
      Value rbAll = rb;
      if (rb && !isGru)
        xw = m.add(xw, rb);
      Value rt = m.transpose(r); // [H, G*H]
      Value h0 = op.getInitialH() ? take(b, loc, op.getInitialH(), b.getIndexAttr(d), 1, true)
                                  : filledTensor(b, loc, stateType, Sizes{batch, b.getIndexAttr(hidden)},
                                                 scalarConstant(b, loc, element, 0));
      h0 = tensor::CastOp::create(b, loc, stateType, h0);
      SmallVector<Value> init = {h0};
      Value peep;
      if constexpr (isLstm) {
        Value c0 = op.getInitialC() ? take(b, loc, op.getInitialC(), b.getIndexAttr(d), 1, true)
                                    : filledTensor(b, loc, stateType, Sizes{batch, b.getIndexAttr(hidden)},
                                                   scalarConstant(b, loc, element, 0));
        init.push_back(tensor::CastOp::create(b, loc, stateType, c0));
        if (Value p = op.getP())
          peep = take(b, loc, p, b.getIndexAttr(d), 1, true); // [3*H]
      }
      Value dirY = filledTensor(b, loc, RankedTensorType::get({xType.getDimSize(0), batchStatic, hidden}, element),
                                Sizes{seqSize, batch, b.getIndexAttr(hidden)}, scalarConstant(b, loc, element, 0));
      init.push_back(dirY);
      auto states = forLoop(
          b, loc, idx(b, loc, 0), seqLen, init,
          [&](OpBuilder &, Location l, ValueRange tv, ValueRange acc) -> SmallVector<Value> {
            // Without sequence lengths a reverse direction reads from the end.
            Value t = tv[0];
            Value step = (reverse && !lens)
                             ? arith::SubIOp::create(b, l, arith::SubIOp::create(b, l, seqLen, idx(b, l, 1)), t).getResult()
                             : t;
            Value h = acc[0];
            Value xt = tensor::CastOp::create(b, l, RankedTensorType::get({batchStatic, gates * hidden}, element),
                                              take(b, l, xw, step, 1, true));
            Value hr = m.matmul(h, rt); // [B, G*H]
            Value hNew, cNew;
            if constexpr (isLstm) {
              Value c = acc[1];
              Value pre = m.add(xt, hr);
              auto peepGate = [&](int64_t k, Value cell) {
                if (!peep)
                  return gate(b, l, pre, k, hidden);
                Value pk = tensor::ExtractSliceOp::create(b, l, RankedTensorType::get({hidden}, element), peep,
                                                          Sizes{b.getIndexAttr(k * hidden)}, Sizes{b.getIndexAttr(hidden)},
                                                          Sizes{b.getIndexAttr(1)});
                return m.add(gate(b, l, pre, k == 0 ? 0 : 2, hidden), m.mul(pk, cell));
              };
              // Gate order in W/R/B: i, o, f, c; P: i, o, f.
              Value iPre = peep ? peepGate(0, c) : gate(b, l, pre, 0, hidden);
              Value fPre = peep ? m.add(gate(b, l, pre, 2, hidden),
                                        m.mul(tensor::ExtractSliceOp::create(b, l, RankedTensorType::get({hidden}, element),
                                                                             peep, Sizes{b.getIndexAttr(2 * hidden)},
                                                                             Sizes{b.getIndexAttr(hidden)}, Sizes{b.getIndexAttr(1)}),
                                              c))
                                : gate(b, l, pre, 2, hidden);
              Value it = act(0, m.clip(iPre, clip));
              Value ft = op.getInputForget() ? m.sub(m.scalar(1), it) : act(0, m.clip(fPre, clip));
              Value ct = act(1, m.clip(gate(b, l, pre, 3, hidden), clip));
              cNew = m.add(m.mul(ft, c), m.mul(it, ct));
              Value oPre = gate(b, l, pre, 1, hidden);
              if (peep)
                oPre = m.add(oPre, m.mul(tensor::ExtractSliceOp::create(b, l, RankedTensorType::get({hidden}, element),
                                                                        peep, Sizes{b.getIndexAttr(hidden)},
                                                                        Sizes{b.getIndexAttr(hidden)}, Sizes{b.getIndexAttr(1)}),
                                         cNew));
              Value ot = act(0, m.clip(oPre, clip));
              hNew = m.mul(ot, act(2, cNew));
            } else if constexpr (isGru) {
              // Gate order z, r, h.
              Value hrb = rbAll ? m.add(hr, rbAll) : hr;
              Value zt = act(0, m.clip(m.add(gate(b, l, xt, 0, hidden), gate(b, l, hrb, 0, hidden)), clip));
              Value rtg = act(0, m.clip(m.add(gate(b, l, xt, 1, hidden), gate(b, l, hrb, 1, hidden)), clip));
              Value candidate;
              if (op.getLinearBeforeReset()) {
                candidate = m.add(gate(b, l, xt, 2, hidden), m.mul(rtg, gate(b, l, hrb, 2, hidden)));
              } else {
                Value rh = m.mul(rtg, h);
                Value rhr = m.matmul(rh, gate(b, l, rt, 2, hidden));
                if (rbAll)
                  rhr = m.add(rhr, gate(b, l, rbAll, 2, hidden));
                candidate = m.add(gate(b, l, xt, 2, hidden), rhr);
              }
              Value ht = act(1, m.clip(candidate, clip));
              hNew = m.add(m.mul(m.sub(m.scalar(1), zt), ht), m.mul(zt, h));
            } else {
              hNew = act(0, m.clip(m.add(xt, hr), clip));
            }
            hNew = tensor::CastOp::create(b, l, stateType, hNew);
            Value yRow = hNew;
            SmallVector<Value> next;
            if (activeMask) {
              // Past a sequence's end: keep the state, write 0.
              Value active = insertUnitAxes(b, l, take(b, l, activeMask, t, 1, true), {1}); // [B, 1]
              auto pick = [&](Value a, Value c) {
                return nn::WhereOp::create(b, l, stateType, active, a, c).getResult();
              };
              yRow = pick(hNew, m.mul(hNew, m.scalar(0)));
              hNew = pick(hNew, h);
              if constexpr (isLstm)
                cNew = pick(tensor::CastOp::create(b, l, stateType, cNew), acc[1]);
            }
            next.push_back(hNew);
            if constexpr (isLstm)
              next.push_back(tensor::CastOp::create(b, l, stateType, cNew));
            Value yAcc = acc.back();
            Value row = insertUnitAxes(b, l, yRow, {0});
            next.push_back(tensor::InsertSliceOp::create(b, l, row, yAcc, Sizes{step, b.getIndexAttr(0), b.getIndexAttr(0)},
                                                         Sizes{b.getIndexAttr(1), batch, b.getIndexAttr(hidden)},
                                                         Sizes(3, b.getIndexAttr(1))));
            return next;
          });
      Value dirY2 = states.back();
      if (reverse && lens)
        dirY2 = nn::ReverseSequenceOp::create(b, loc, typeOf(dirY2), dirY2, lens, b.getI64IntegerAttr(1),
                                              b.getI64IntegerAttr(0));
      y = tensor::InsertSliceOp::create(b, loc, insertUnitAxes(b, loc, dirY2, {1}), y,
                                        Sizes{b.getIndexAttr(0), b.getIndexAttr(d), b.getIndexAttr(0), b.getIndexAttr(0)},
                                        Sizes{seqSize, b.getIndexAttr(1), batch, b.getIndexAttr(hidden)},
                                        Sizes(4, b.getIndexAttr(1)));
      lastH.push_back(states[0]);
      if constexpr (isLstm)
        lastC.push_back(states[1]);
    }
    auto stack = [&](ArrayRef<Value> parts) -> Value {
      auto type = RankedTensorType::get({dirs, batchStatic, hidden}, element);
      Value all = emptyTensor(b, loc, type, Sizes{b.getIndexAttr(dirs), batch, b.getIndexAttr(hidden)});
      for (auto [d, part] : llvm::enumerate(parts))
        all = tensor::InsertSliceOp::create(b, loc, insertUnitAxes(b, loc, part, {0}), all,
                                            Sizes{b.getIndexAttr(d), b.getIndexAttr(0), b.getIndexAttr(0)},
                                            Sizes{b.getIndexAttr(1), batch, b.getIndexAttr(hidden)},
                                            Sizes(3, b.getIndexAttr(1)));
      return all;
    };
    SmallVector<Value> results = {y, stack(lastH)};
    if constexpr (isLstm)
      results.push_back(stack(lastC));
    if (layout) {
      // Y [S, D, B, H] -> [B, S, D, H]; states [D, B, H] -> [B, D, H].
      auto yt = typeOf(results[0]);
      results[0] = nn::TransposeOp::create(
          b, loc,
          RankedTensorType::get({yt.getDimSize(2), yt.getDimSize(0), yt.getDimSize(1), yt.getDimSize(3)}, element),
          results[0], b.getDenseI64ArrayAttr({2, 0, 1, 3}));
      for (size_t i = 1; i < results.size(); ++i) {
        auto st = typeOf(results[i]);
        results[i] = nn::TransposeOp::create(
            b, loc, RankedTensorType::get({st.getDimSize(1), st.getDimSize(0), st.getDimSize(2)}, element),
            results[i], b.getDenseI64ArrayAttr({1, 0, 2}));
      }
    }
    for (auto [v, r] : llvm::zip(results, op->getResults()))
      if (v.getType() != r.getType())
        v = tensor::CastOp::create(b, loc, r.getType(), v);
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateRecurrentPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerRecurrent<nn::RnnOp>, LowerRecurrent<nn::GruOp>, LowerRecurrent<nn::LstmOp>>(
      patterns.getContext());
}

} // namespace openopt::lowering
