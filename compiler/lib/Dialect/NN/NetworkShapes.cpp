//===- NetworkShapes.cpp - result types of norms, vision, recurrent, signal ===//
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace openopt::nn {
namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;
RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type element) {
  return RankedTensorType::get(shape, element);
}
RankedTensorType rankedOf(Value v) { return cast<RankedTensorType>(v.getType()); }
std::optional<int64_t> constantScalar(Value v) {
  if (!v)
    return std::nullopt;
  auto ints = getConstantInts(v);
  if (!ints || ints->size() != 1)
    return std::nullopt;
  return (*ints)[0];
}
int64_t windowOut(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1,
                  bool ceilMode) {
  if (ShapedType::isDynamic(in))
    return kDyn;
  int64_t numer = in + p0 + p1 - ((k - 1) * d + 1);
  int64_t out = (ceilMode ? (numer + s - 1) / s : numer / s) + 1;
  if (ceilMode && (out - 1) * s >= in + p0)
    --out;
  return out;
}
} // namespace

LogicalResult InstanceNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                               Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  if (input.getRank() < 3)
    return emitOptionalError(loc, "InstanceNormalization: input must be [N, C, D...]");
  results.push_back(input);
  return success();
}

LogicalResult MaxPoolWithIndicesOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                                     Adaptor adaptor,
                                                     SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t spatial = input.getRank() - 2;
  auto k = adaptor.getKernelShape(), s = adaptor.getStrides(), p = adaptor.getPads(),
       d = adaptor.getDilations();
  if (spatial < 1 || (int64_t)k.size() != spatial || (int64_t)s.size() != spatial ||
      (int64_t)d.size() != spatial || (int64_t)p.size() != 2 * spatial)
    return emitOptionalError(loc, "MaxPool: kernel_shape, strides, dilations and pads do not "
                             "fit the input ", formatShape(input.getShape()));
  SmallVector<int64_t> shape(input.getShape().take_front(2));
  for (int64_t i = 0; i < spatial; ++i)
    shape.push_back(windowOut(input.getDimSize(i + 2), k[i], s[i], d[i], p[i], p[i + spatial],
                              adaptor.getCeilMode() != 0));
  results.push_back(tensorOf(shape, input.getElementType()));
  results.push_back(tensorOf(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult MaxUnpoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t spatial = input.getRank() - 2;
  auto k = adaptor.getKernelShape(), s = adaptor.getStrides(), p = adaptor.getPads();
  if (spatial < 1 || (int64_t)k.size() != spatial || (int64_t)s.size() != spatial ||
      (int64_t)p.size() != 2 * spatial)
    return emitOptionalError(loc, "MaxUnpool: kernel_shape, strides and pads do not fit the "
                             "input ", formatShape(input.getShape()));
  if (Value shapeOperand = adaptor.getOutputShape()) {
    if (auto shape = getConstantInts(shapeOperand)) {
      results.push_back(tensorOf(*shape, input.getElementType()));
      return success();
    }
    results.push_back(tensorOf(SmallVector<int64_t>(input.getRank(), kDyn), input.getElementType()));
    return success();
  }
  SmallVector<int64_t> shape(input.getShape().take_front(2));
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2);
    shape.push_back(ShapedType::isDynamic(in) ? kDyn
                                              : (in - 1) * s[i] + k[i] - p[i] - p[i + spatial]);
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult RoiAlignOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput()), rois = rankedOf(adaptor.getRois());
  if (input.getRank() != 4 || rois.getRank() != 2)
    return emitOptionalError(loc, "RoiAlign: input must be [N, C, H, W] and rois [R, 4]");
  StringRef mode = adaptor.getMode();
  if (mode != "avg" && mode != "max")
    return emitOptionalError(loc, "RoiAlign: mode '", mode, "' is not avg or max");
  results.push_back(tensorOf({rois.getDimSize(0), input.getDimSize(1),
                              (int64_t)adaptor.getOutputHeight(), (int64_t)adaptor.getOutputWidth()},
                             input.getElementType()));
  return success();
}

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput()), grid = rankedOf(adaptor.getGrid());
  if (input.getRank() != 4 || grid.getRank() != 4)
    return emitOptionalError(loc, "GridSample: only 2-D sampling ([N, C, H, W] with grid "
                             "[N, Ho, Wo, 2]) is supported");
  StringRef mode = adaptor.getMode(), padding = adaptor.getPaddingMode();
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return emitOptionalError(loc, "GridSample: mode '", mode, "' is not supported");
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return emitOptionalError(loc, "GridSample: padding_mode '", padding, "' is not supported");
  results.push_back(tensorOf({input.getDimSize(0), input.getDimSize(1), grid.getDimSize(1),
                              grid.getDimSize(2)},
                             input.getElementType()));
  return success();
}

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  StringRef equation = adaptor.getEquation();
  auto [lhs, out] = equation.split("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (!equation.contains("->") || terms.size() != adaptor.getInputs().size())
    return emitOptionalError(loc, "Einsum: equation '", equation, "' must be explicit with one "
                             "term per input");
  llvm::StringMap<int64_t> sizes;
  Type element;
  for (auto [term, v] : llvm::zip(terms, adaptor.getInputs())) {
    auto type = rankedOf(v);
    element = type.getElementType();
    if ((int64_t)term.size() != type.getRank())
      return emitOptionalError(loc, "Einsum: term '", term, "' does not match rank ",
                               type.getRank());
    for (auto [i, c] : llvm::enumerate(term)) {
      int64_t d = type.getDimSize(i);
      auto [it, inserted] = sizes.try_emplace(StringRef(&term.data()[i], 1), d);
      if (!inserted && !ShapedType::isDynamic(d) && !ShapedType::isDynamic(it->second) &&
          it->second != d && it->second != 1 && d != 1)
        return emitOptionalError(loc, "Einsum: index '", StringRef(&c, 1), "' has sizes ",
                                 it->second, " and ", d);
      if (ShapedType::isDynamic(it->second) || it->second == 1)
        it->second = d;
    }
  }
  SmallVector<int64_t> shape;
  for (char c : out) {
    auto it = sizes.find(StringRef(&c, 1));
    if (it == sizes.end())
      return emitOptionalError(loc, "Einsum: output index '", StringRef(&c, 1),
                               "' is not in any input");
    shape.push_back(it->second);
  }
  results.push_back(tensorOf(shape, element));
  return success();
}

LogicalResult DetOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  if (input.getRank() < 2)
    return emitOptionalError(loc, "Det: input must be [..., M, M]");
  results.push_back(tensorOf(input.getShape().drop_back(2), input.getElementType()));
  return success();
}

LogicalResult RandomOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  Type element = adaptor.getDtype();
  if (Value input = adaptor.getInput()) {
    results.push_back(tensorOf(rankedOf(input).getShape(), element));
    return success();
  }
  if (!adaptor.getShape())
    return emitOptionalError(loc, "Random: needs an input or a shape");
  results.push_back(tensorOf(*adaptor.getShape(), element));
  return success();
}

// Shapes of Y and Y_h (and Y_c) of the recurrent ops.
static LogicalResult inferRecurrent(std::optional<Location> loc, StringRef name, Value x,
                                    StringRef direction, int64_t hidden, int64_t layout,
                                    unsigned numStates, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(x);
  if (input.getRank() != 3)
    return emitOptionalError(loc, name, ": X must be 3-D");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return emitOptionalError(loc, name, ": direction '", direction, "' is not valid");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  int64_t seq = input.getDimSize(layout ? 1 : 0), batch = input.getDimSize(layout ? 0 : 1);
  Type element = input.getElementType();
  results.push_back(layout ? tensorOf({batch, seq, dirs, hidden}, element)
                           : tensorOf({seq, dirs, batch, hidden}, element));
  for (unsigned i = 0; i < numStates; ++i)
    results.push_back(layout ? tensorOf({batch, dirs, hidden}, element)
                             : tensorOf({dirs, batch, hidden}, element));
  return success();
}

LogicalResult RnnOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferRecurrent(loc, "RNN", adaptor.getX(), adaptor.getDirection(),
                        adaptor.getHiddenSize(), adaptor.getLayout(), 1, results);
}
LogicalResult GruOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferRecurrent(loc, "GRU", adaptor.getX(), adaptor.getDirection(),
                        adaptor.getHiddenSize(), adaptor.getLayout(), 1, results);
}
LogicalResult LstmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferRecurrent(loc, "LSTM", adaptor.getX(), adaptor.getDirection(),
                        adaptor.getHiddenSize(), adaptor.getLayout(), 2, results);
}

LogicalResult DftOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t rank = input.getRank();
  int64_t axis = adaptor.getAxis();
  if (axis < 0)
    axis += rank;
  if (rank < 2 || axis < 0 || axis >= rank - 1)
    return emitOptionalError(loc, "DFT: axis ", adaptor.getAxis(), " is not a signal axis of ",
                             formatShape(input.getShape()));
  int64_t last = input.getDimSize(rank - 1);
  if (!ShapedType::isDynamic(last) && last != 1 && last != 2)
    return emitOptionalError(loc, "DFT: the last axis must have size 1 (real) or 2 (complex)");
  int64_t n = input.getDimSize(axis);
  if (Value length = adaptor.getDftLength())
    n = constantScalar(length).value_or(kDyn);
  if (adaptor.getOnesided() && !ShapedType::isDynamic(n))
    n = n / 2 + 1;
  else if (adaptor.getOnesided())
    n = kDyn;
  SmallVector<int64_t> shape(input.getShape());
  shape[axis] = n;
  shape.back() = 2;
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult StftOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto signal = rankedOf(adaptor.getSignal());
  if (signal.getRank() != 3)
    return emitOptionalError(loc, "STFT: signal must be [batch, length, 1 or 2]");
  int64_t length = kDyn;
  if (Value w = adaptor.getWindow()) {
    if (rankedOf(w).getRank() != 1)
      return emitOptionalError(loc, "STFT: window must be 1-D");
    length = rankedOf(w).getDimSize(0);
  }
  if (Value l = adaptor.getFrameLength())
    length = constantScalar(l).value_or(kDyn);
  auto step = constantScalar(adaptor.getFrameStep());
  int64_t frames = kDyn, bins = kDyn;
  int64_t total = signal.getDimSize(1);
  if (step && !ShapedType::isDynamic(length) && !ShapedType::isDynamic(total) && *step > 0)
    frames = (total - length) / *step + 1;
  if (!ShapedType::isDynamic(length))
    bins = adaptor.getOnesided() ? length / 2 + 1 : length;
  results.push_back(tensorOf({signal.getDimSize(0), frames, bins, 2}, signal.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Control flow: the importer gives the result types; these check the bodies.
//===----------------------------------------------------------------------===//

static LogicalResult checkYield(Operation *op, Region &region, TypeRange expected,
                                StringRef what) {
  auto yield = dyn_cast<YieldOp>(region.front().getTerminator());
  if (!yield)
    return op->emitOpError(what) << " must end with nn.yield";
  if (yield.getValues().size() != expected.size())
    return op->emitOpError(what) << " yields " << yield.getValues().size() << " values, expected "
                                 << expected.size();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(yield.getValues().getTypes(), expected))) {
    auto [got, want] = pair;
    auto g = dyn_cast<RankedTensorType>(got), w = dyn_cast<RankedTensorType>(want);
    bool fits = g && w && g.getElementType() == w.getElementType() && g.getRank() == w.getRank();
    for (int64_t d = 0; fits && d < g.getRank(); ++d)
      fits = w.isDynamicDim(d) || g.getDimSize(d) == w.getDimSize(d);
    if (!fits)
      return op->emitOpError(what) << " value " << i << " has type " << got
                                   << ", which does not fit " << want;
  }
  return success();
}

LogicalResult IfOp::verify() {
  if (getCondition().getType().getNumElements() != 1 && getCondition().getType().hasStaticShape())
    return emitOpError("If: the condition must hold one element");
  if (failed(checkYield(*this, getThenBranch(), getResultTypes(), "then_branch")))
    return failure();
  return checkYield(*this, getElseBranch(), getResultTypes(), "else_branch");
}

LogicalResult LoopOp::verify() {
  Block &body = getBody().front();
  size_t carried = getInitial().size();
  if (body.getNumArguments() != carried + 2)
    return emitOpError("Loop: the body takes the iteration number, the condition and ")
           << carried << " carried values, it has " << body.getNumArguments() << " arguments";
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield || yield.getValues().size() < carried + 1)
    return emitOpError("Loop: the body must yield the condition and the carried values");
  size_t scans = yield.getValues().size() - 1 - carried;
  if (getNumResults() != carried + scans)
    return emitOpError("Loop: ") << getNumResults() << " results for " << carried
                                 << " carried values and " << scans << " scan outputs";
  return success();
}

LogicalResult ScanOp::verify() {
  int64_t scans = getNumScanInputs();
  int64_t states = (int64_t)getInputs().size() - scans;
  if (scans < 1 || states < 0)
    return emitOpError("Scan: num_scan_inputs must be between 1 and the number of inputs");
  if ((int64_t)getScanInputAxes().size() != scans ||
      (int64_t)getScanInputDirections().size() != scans)
    return emitOpError("Scan: scan_input_axes and scan_input_directions need one entry per "
                       "scan input");
  Block &body = getBody().front();
  if ((int64_t)body.getNumArguments() != states + scans)
    return emitOpError("Scan: the body must take ") << states + scans << " arguments";
  int64_t outputs = (int64_t)getNumResults() - states;
  if (outputs < 0 || (int64_t)getScanOutputAxes().size() != outputs ||
      (int64_t)getScanOutputDirections().size() != outputs)
    return emitOpError("Scan: scan_output_axes and scan_output_directions need one entry per "
                       "scan output");
  return success();
}

} // namespace openopt::nn
