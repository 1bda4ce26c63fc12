//===- ShapeInference.cpp - result types of nn ops -------------------------===//
//
// inferReturnTypes for every op whose result type follows from its operands
// and attributes. Errors are phrased in ONNX terms because the verifier
// reports them to the user.
//
//===----------------------------------------------------------------------===//
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace openopt::nn {
namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type element) {
  return RankedTensorType::get(shape, element);
}

RankedTensorType rankedOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

// Either dimension dynamic makes the result dynamic.
int64_t dynAware(int64_t a, int64_t b, llvm::function_ref<int64_t()> f) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) ? kDyn : f();
}

LogicalResult broadcastResult(std::optional<Location> loc, StringRef opName,
                              ValueRange operands, Type element,
                              SmallVectorImpl<Type> &results) {
  SmallVector<int64_t> shape;
  for (Value v : operands) {
    auto next = broadcastShapes(shape, rankedOf(v).getShape());
    if (failed(next))
      return emitOptionalError(loc, opName, ": shapes ", formatShape(shape),
                               " and ", formatShape(rankedOf(v).getShape()),
                               " cannot be broadcast together");
    shape = *next;
  }
  results.push_back(tensorOf(shape, element));
  return success();
}

LogicalResult sameElementTypes(std::optional<Location> loc, StringRef opName,
                               Value a, Value b) {
  Type ea = rankedOf(a).getElementType(), eb = rankedOf(b).getElementType();
  if (ea != eb)
    return emitOptionalError(loc, opName, ": operand element types differ (",
                             ea, " vs ", eb, ")");
  return success();
}

// Output extent of a sliding window (Conv, pooling).
int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t padBegin, int64_t padEnd,
                     bool ceilMode) {
  if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel))
    return kDyn;
  int64_t span = (kernel - 1) * dilation + 1;
  int64_t numer = in + padBegin + padEnd - span;
  int64_t out = (ceilMode ? (numer + stride - 1) / stride : numer / stride) + 1;
  // ONNX/ORT: the last window must start inside the input or the begin pad.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

LogicalResult checkSpatialAttrs(std::optional<Location> loc, StringRef opName,
                                int64_t spatial, ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations,
                                bool allowNegativePads = false) {
  if ((int64_t)strides.size() != spatial)
    return emitOptionalError(loc, opName, ": strides has ", strides.size(),
                             " values but the input has ", spatial,
                             " spatial axes");
  if ((int64_t)pads.size() != 2 * spatial)
    return emitOptionalError(loc, opName, ": pads has ", pads.size(),
                             " values but needs ", 2 * spatial,
                             " (begins then ends of each spatial axis)");
  if ((int64_t)dilations.size() != spatial)
    return emitOptionalError(loc, opName, ": dilations has ", dilations.size(),
                             " values but the input has ", spatial,
                             " spatial axes");
  for (int64_t s : strides)
    if (s < 1)
      return emitOptionalError(loc, opName, ": strides must be >= 1");
  for (int64_t d : dilations)
    if (d < 1)
      return emitOptionalError(loc, opName, ": dilations must be >= 1");
  for (int64_t p : pads)
    if (p < 0 && !allowNegativePads)
      return emitOptionalError(loc, opName, ": pads must be >= 0");
  return success();
}

LogicalResult inferPool(std::optional<Location> loc, StringRef opName,
                        Value input, ArrayRef<int64_t> kernel,
                        ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                        ArrayRef<int64_t> dilations, bool ceilMode,
                        bool channelsLast, SmallVectorImpl<Type> &results) {
  auto type = rankedOf(input);
  int64_t spatial = type.getRank() - 2;
  if (spatial < 1)
    return emitOptionalError(loc, opName, ": input must be ",
                             channelsLast ? "[N, spatial..., C]" : "[N, C, spatial...]",
                             ", got ", formatShape(type.getShape()));
  if ((int64_t)kernel.size() != spatial)
    return emitOptionalError(loc, opName, ": kernel_shape has ", kernel.size(),
                             " values but the input has ", spatial,
                             " spatial axes");
  if (failed(checkSpatialAttrs(loc, opName, spatial, strides, pads, dilations)))
    return failure();
  int64_t firstSpatial = channelsLast ? 1 : 2;
  SmallVector<int64_t> shape(type.getShape().take_front(firstSpatial));
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t out = windowOutput(type.getDimSize(firstSpatial + i), kernel[i], strides[i],
                               dilations[i], pads[i], pads[i + spatial],
                               ceilMode);
    if (!ShapedType::isDynamic(out) && out < 1)
      return emitOptionalError(loc, opName, ": window larger than the padded "
                               "input on spatial axis ", i);
    shape.push_back(out);
  }
  if (channelsLast)
    shape.push_back(type.getDimSize(type.getRank() - 1));
  results.push_back(tensorOf(shape, type.getElementType()));
  return success();
}

LogicalResult inferReduce(std::optional<Location> loc, StringRef opName,
                          Value input, ArrayRef<int64_t> axes, bool keepdims,
                          bool noopWithEmptyAxes,
                          SmallVectorImpl<Type> &results) {
  auto type = rankedOf(input);
  int64_t rank = type.getRank();
  if (axes.empty() && noopWithEmptyAxes) {
    results.push_back(type);
    return success();
  }
  llvm::SmallBitVector reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    auto norm = normalizeAxis(axis, rank);
    if (!norm)
      return emitOptionalError(loc, opName, ": axis ", axis,
                               " is out of range for rank ", rank);
    reduced.set(*norm);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced.test(i))
      shape.push_back(type.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  results.push_back(tensorOf(shape, type.getElementType()));
  return success();
}

// Reshape-like target shape from a constant operand: resolves 0 and -1.
FailureOr<SmallVector<int64_t>>
resolveReshape(std::optional<Location> loc, RankedTensorType input,
               ArrayRef<int64_t> requested, bool allowZero) {
  SmallVector<int64_t> shape;
  int64_t inferred = -1;
  for (auto [i, d] : llvm::enumerate(requested)) {
    if (d == 0 && !allowZero) {
      if ((int64_t)i >= input.getRank())
        return emitOptionalError(loc, "Reshape: shape[", i,
                                 "] = 0 copies a dimension the input (rank ",
                                 input.getRank(), ") does not have");
      shape.push_back(input.getDimSize(i));
    } else if (d == -1) {
      if (inferred >= 0)
        return emitOptionalError(loc, "Reshape: shape has more than one -1");
      inferred = i;
      shape.push_back(kDyn);
    } else if (d < -1) {
      return emitOptionalError(loc, "Reshape: shape[", i, "] = ", d,
                               " is negative");
    } else {
      shape.push_back(d);
    }
  }
  auto total = staticElementCount(input.getShape());
  if (inferred >= 0 && total) {
    int64_t known = 1;
    bool allStatic = true;
    for (auto [i, d] : llvm::enumerate(shape)) {
      if ((int64_t)i == inferred)
        continue;
      if (ShapedType::isDynamic(d))
        allStatic = false;
      else
        known *= d;
    }
    if (allStatic) {
      if (known == 0 || *total % known != 0)
        return emitOptionalError(loc, "Reshape: cannot reshape ",
                                 formatShape(input.getShape()), " (",
                                 *total, " elements) to ",
                                 formatShape(requested));
      shape[inferred] = *total / known;
    }
  }
  auto count = staticElementCount(shape);
  if (total && count && *total != *count)
    return emitOptionalError(loc, "Reshape: cannot reshape ",
                             formatShape(input.getShape()), " (", *total,
                             " elements) to ", formatShape(shape), " (",
                             *count, " elements)");
  return shape;
}

} // namespace

//===----------------------------------------------------------------------===//
// Element-wise with broadcasting.
//===----------------------------------------------------------------------===//

#define NN_BROADCAST_INFER(OP, NAME, BOOL_RESULT)                              \
  LogicalResult OP::inferReturnTypes(MLIRContext *context,                     \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    if (failed(sameElementTypes(loc, NAME, adaptor.getLhs(),                   \
                                adaptor.getRhs())))                            \
      return failure();                                                        \
    Type element = BOOL_RESULT ? Type(IntegerType::get(context, 1))            \
                               : rankedOf(adaptor.getLhs()).getElementType();  \
    return broadcastResult(loc, NAME, {adaptor.getLhs(), adaptor.getRhs()},    \
                           element, results);                                  \
  }

NN_BROADCAST_INFER(AddOp, "Add", false)
NN_BROADCAST_INFER(SubOp, "Sub", false)
NN_BROADCAST_INFER(MulOp, "Mul", false)
NN_BROADCAST_INFER(DivOp, "Div", false)
NN_BROADCAST_INFER(PowOp, "Pow", false)
NN_BROADCAST_INFER(MinOp, "Min", false)
NN_BROADCAST_INFER(MaxOp, "Max", false)
NN_BROADCAST_INFER(EqualOp, "Equal", true)
NN_BROADCAST_INFER(LessOp, "Less", true)
NN_BROADCAST_INFER(GreaterOp, "Greater", true)
NN_BROADCAST_INFER(GreaterOrEqualOp, "GreaterOrEqual", true)
NN_BROADCAST_INFER(LessOrEqualOp, "LessOrEqual", true)
NN_BROADCAST_INFER(AndOp, "And", true)
NN_BROADCAST_INFER(OrOp, "Or", true)
NN_BROADCAST_INFER(XorOp, "Xor", true)
NN_BROADCAST_INFER(PReluOp, "PRelu", false)
NN_BROADCAST_INFER(ModOp, "Mod", false)
NN_BROADCAST_INFER(BitShiftOp, "BitShift", false)
#undef NN_BROADCAST_INFER

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  if (failed(sameElementTypes(loc, "Where", adaptor.getX(), adaptor.getY())))
    return failure();
  return broadcastResult(loc, "Where",
                         {adaptor.getCondition(), adaptor.getX(), adaptor.getY()},
                         rankedOf(adaptor.getX()).getElementType(), results);
}

//===----------------------------------------------------------------------===//
// Linear algebra.
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (failed(sameElementTypes(loc, "MatMul", adaptor.getA(), adaptor.getB())))
    return failure();
  auto a = rankedOf(adaptor.getA()), b = rankedOf(adaptor.getB());
  if (a.getRank() < 1 || b.getRank() < 1)
    return emitOptionalError(loc, "MatMul: operands must have rank >= 1");
  SmallVector<int64_t> as(a.getShape()), bs(b.getShape());
  bool squeezeM = as.size() == 1, squeezeN = bs.size() == 1;
  if (squeezeM)
    as.insert(as.begin(), 1);
  if (squeezeN)
    bs.push_back(1);
  int64_t ka = as.back(), kb = bs[bs.size() - 2];
  if (!ShapedType::isDynamic(ka) && !ShapedType::isDynamic(kb) && ka != kb)
    return emitOptionalError(loc, "MatMul: A has ", ka,
                             " columns but B has ", kb, " rows (A ",
                             formatShape(a.getShape()), ", B ",
                             formatShape(b.getShape()), ")");
  auto batch = broadcastShapes(ArrayRef(as).drop_back(2), ArrayRef(bs).drop_back(2));
  if (failed(batch))
    return emitOptionalError(loc, "MatMul: batch dimensions of ",
                             formatShape(a.getShape()), " and ",
                             formatShape(b.getShape()), " do not broadcast");
  SmallVector<int64_t> shape = *batch;
  if (!squeezeM)
    shape.push_back(as[as.size() - 2]);
  if (!squeezeN)
    shape.push_back(bs.back());
  results.push_back(tensorOf(shape, a.getElementType()));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto a = rankedOf(adaptor.getA()), b = rankedOf(adaptor.getB());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "Gemm: A and B must be 2-D, got ",
                             formatShape(a.getShape()), " and ",
                             formatShape(b.getShape()));
  if (failed(sameElementTypes(loc, "Gemm", adaptor.getA(), adaptor.getB())))
    return failure();
  bool ta = adaptor.getTransA() != 0, tb = adaptor.getTransB() != 0;
  int64_t m = a.getDimSize(ta ? 1 : 0), ka = a.getDimSize(ta ? 0 : 1);
  int64_t kb = b.getDimSize(tb ? 1 : 0), n = b.getDimSize(tb ? 0 : 1);
  if (!ShapedType::isDynamic(ka) && !ShapedType::isDynamic(kb) && ka != kb)
    return emitOptionalError(loc, "Gemm: op(A) has ", ka,
                             " columns but op(B) has ", kb, " rows");
  if (Value c = adaptor.getC()) {
    auto cs = rankedOf(c).getShape();
    auto bc = broadcastShapes({m, n}, cs);
    if (cs.size() > 2 || failed(bc) || (*bc)[0] != m || (*bc)[1] != n)
      return emitOptionalError(loc, "Gemm: C of shape ", formatShape(cs),
                               " does not broadcast to [", m, ", ", n, "]");
  }
  results.push_back(tensorOf({m, n}, a.getElementType()));
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput()), weight = rankedOf(adaptor.getWeight());
  bool channelsLast = adaptor.getChannelsLast();
  int64_t rank = input.getRank(), spatial = rank - 2;
  if (spatial < 1)
    return emitOptionalError(loc, "Conv: input must be ",
                             channelsLast ? "[N, spatial..., C]" : "[N, C, spatial...]",
                             ", got ", formatShape(input.getShape()));
  if (weight.getRank() != rank)
    return emitOptionalError(loc, "Conv: weight has rank ", weight.getRank(),
                             " but the input has rank ", rank);
  if (failed(checkSpatialAttrs(loc, "Conv", spatial, adaptor.getStrides(),
                               adaptor.getPads(), adaptor.getDilations())))
    return failure();
  // NCHW: input [N, C, D...], weight [F, C/g, K...]; channels last: input
  // [N, D..., C], weight [K..., C/g, F].
  int64_t firstSpatial = channelsLast ? 1 : 2, firstKernel = channelsLast ? 0 : 2;
  int64_t group = adaptor.getGroup();
  int64_t channels = input.getDimSize(channelsLast ? rank - 1 : 1);
  int64_t filters = weight.getDimSize(channelsLast ? rank - 1 : 0);
  int64_t weightChannels = weight.getDimSize(channelsLast ? rank - 2 : 1);
  if (group < 1)
    return emitOptionalError(loc, "Conv: group must be >= 1");
  if (!ShapedType::isDynamic(channels) && !ShapedType::isDynamic(weightChannels) &&
      weightChannels * group != channels)
    return emitOptionalError(loc, "Conv: weight has ", weightChannels,
                             " input channels per group (group ", group,
                             ") but the input has ", channels, " channels");
  if (!ShapedType::isDynamic(filters) && filters % group != 0)
    return emitOptionalError(loc, "Conv: ", filters,
                             " output channels are not divisible by group ", group);
  if (Value bias = adaptor.getBias()) {
    auto bs = rankedOf(bias).getShape();
    if (bs.size() != 1 || (!ShapedType::isDynamic(bs[0]) &&
                           !ShapedType::isDynamic(filters) && bs[0] != filters))
      return emitOptionalError(loc, "Conv: bias must be [", filters, "], got ",
                               formatShape(bs));
  }
  SmallVector<int64_t> shape = {input.getDimSize(0)};
  if (!channelsLast)
    shape.push_back(filters);
  auto pads = adaptor.getPads();
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t out = windowOutput(input.getDimSize(firstSpatial + i),
                               weight.getDimSize(firstKernel + i), adaptor.getStrides()[i],
                               adaptor.getDilations()[i], pads[i], pads[i + spatial], false);
    if (!ShapedType::isDynamic(out) && out < 1)
      return emitOptionalError(loc, "Conv: kernel larger than the padded input "
                               "on spatial axis ", i);
    shape.push_back(out);
  }
  if (channelsLast)
    shape.push_back(filters);
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput()), weight = rankedOf(adaptor.getWeight());
  int64_t spatial = input.getRank() - 2;
  if (spatial < 1 || weight.getRank() != input.getRank())
    return emitOptionalError(loc, "ConvTranspose: input must be [N, C, spatial...] "
                             "and weight [C, F/group, k...], got ",
                             formatShape(input.getShape()), " and ",
                             formatShape(weight.getShape()));
  // Negative pads grow the output (ONNX output_shape beyond the natural size).
  if (failed(checkSpatialAttrs(loc, "ConvTranspose", spatial, adaptor.getStrides(),
                               adaptor.getPads(), adaptor.getDilations(),
                               /*allowNegativePads=*/true)))
    return failure();
  if ((int64_t)adaptor.getOutputPadding().size() != spatial)
    return emitOptionalError(loc, "ConvTranspose: output_padding needs ", spatial,
                             " values");
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return emitOptionalError(loc, "ConvTranspose: group must be >= 1");
  int64_t channels = input.getDimSize(1);
  if (!ShapedType::isDynamic(channels) &&
      !ShapedType::isDynamic(weight.getDimSize(0)) &&
      weight.getDimSize(0) != channels)
    return emitOptionalError(loc, "ConvTranspose: weight has ", weight.getDimSize(0),
                             " input channels but the input has ", channels);
  int64_t filters = ShapedType::isDynamic(weight.getDimSize(1))
                        ? kDyn
                        : weight.getDimSize(1) * group;
  SmallVector<int64_t> shape = {input.getDimSize(0), filters};
  auto pads = adaptor.getPads();
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2), k = weight.getDimSize(i + 2);
    int64_t out = dynAware(in, k, [&] {
      return adaptor.getStrides()[i] * (in - 1) + adaptor.getOutputPadding()[i] +
             (k - 1) * adaptor.getDilations()[i] + 1 - pads[i] - pads[i + spatial];
    });
    if (!ShapedType::isDynamic(out) && out < 1)
      return emitOptionalError(loc, "ConvTranspose: pads leave no output on axis ", i);
    shape.push_back(out);
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation.
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  if (input.getRank() < 2)
    return emitOptionalError(loc, "BatchNormalization: input must be [N, C, ...]");
  int64_t channels = input.getDimSize(1);
  const char *names[] = {"scale", "B", "mean", "var"};
  Value params[] = {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                    adaptor.getVariance()};
  for (auto [name, param] : llvm::zip(names, params)) {
    auto shape = rankedOf(param).getShape();
    if (shape.size() != 1 ||
        (!ShapedType::isDynamic(shape[0]) && !ShapedType::isDynamic(channels) &&
         shape[0] != channels))
      return emitOptionalError(loc, "BatchNormalization: ", name, " must be [",
                               channels, "] (one value per channel), got ",
                               formatShape(shape));
  }
  results.push_back(input);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  auto axis = normalizeAxis(adaptor.getAxis(), input.getRank());
  if (!axis)
    return emitOptionalError(loc, "LayerNormalization: axis ", adaptor.getAxis(),
                             " is out of range for rank ", input.getRank());
  ArrayRef<int64_t> normShape = input.getShape().drop_front(*axis);
  for (Value param : {adaptor.getScale(), adaptor.getBias()}) {
    if (!param)
      continue;
    auto bc = broadcastShapes(normShape, rankedOf(param).getShape());
    if (failed(bc) || bc->size() != normShape.size())
      return emitOptionalError(loc, "LayerNormalization: scale/bias of shape ",
                               formatShape(rankedOf(param).getShape()),
                               " does not broadcast to the normalised axes ",
                               formatShape(normShape));
  }
  results.push_back(input);
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling.
//===----------------------------------------------------------------------===//

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferPool(loc, "MaxPool", adaptor.getInput(), adaptor.getKernelShape(),
                   adaptor.getStrides(), adaptor.getPads(), adaptor.getDilations(),
                   adaptor.getCeilMode() != 0, adaptor.getChannelsLast(), results);
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &results) {
  SmallVector<int64_t> dilations(adaptor.getKernelShape().size(), 1);
  return inferPool(loc, "AveragePool", adaptor.getInput(), adaptor.getKernelShape(),
                   adaptor.getStrides(), adaptor.getPads(), dilations,
                   adaptor.getCeilMode() != 0, adaptor.getChannelsLast(), results);
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(MLIRContext *,
                                                    std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  bool channelsLast = adaptor.getChannelsLast();
  if (input.getRank() < 3)
    return emitOptionalError(loc, "GlobalAveragePool: input must be ",
                             channelsLast ? "[N, spatial..., C]" : "[N, C, spatial...]",
                             ", got ", formatShape(input.getShape()));
  // Every spatial axis becomes 1; N and C stay where they are.
  SmallVector<int64_t> shape(input.getRank(), 1);
  shape.front() = input.getDimSize(0);
  shape[channelsLast ? input.getRank() - 1 : 1] = input.getDimSize(channelsLast ? input.getRank() - 1 : 1);
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement.
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t rank = input.getRank(), axis = adaptor.getAxis();
  if (axis < -rank || axis > rank)
    return emitOptionalError(loc, "Flatten: axis ", axis,
                             " is out of range for rank ", rank);
  if (axis < 0)
    axis += rank;
  auto outer = staticElementCount(input.getShape().take_front(axis));
  auto inner = staticElementCount(input.getShape().drop_front(axis));
  results.push_back(tensorOf({outer.value_or(kDyn), inner.value_or(kDyn)},
                             input.getElementType()));
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getData());
  auto shapeType = rankedOf(adaptor.getShape());
  if (shapeType.getRank() != 1)
    return emitOptionalError(loc, "Reshape: the shape operand must be 1-D, got ",
                             formatShape(shapeType.getShape()));
  auto requested = getConstantInts(adaptor.getShape());
  if (!requested) {
    if (shapeType.isDynamicDim(0))
      return emitOptionalError(loc, "Reshape: the shape operand must have a "
                               "static length");
    results.push_back(tensorOf(SmallVector<int64_t>(shapeType.getDimSize(0), kDyn),
                               input.getElementType()));
    return success();
  }
  auto shape = resolveReshape(loc, input, *requested, adaptor.getAllowzero() != 0);
  if (failed(shape))
    return failure();
  results.push_back(tensorOf(*shape, input.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if ((int64_t)perm.size() != input.getRank())
    return emitOptionalError(loc, "Transpose: perm has ", perm.size(),
                             " entries but the input has rank ", input.getRank());
  llvm::SmallBitVector seen(perm.size());
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen.test(p))
      return emitOptionalError(loc, "Transpose: perm ", formatShape(perm),
                               " is not a permutation of 0..", input.getRank() - 1);
    seen.set(p);
    shape.push_back(input.getDimSize(p));
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t rank = input.getRank();
  if (Value dynamic = adaptor.getDynamicAxes()) {
    // Which axes go is known at run time; how many, from the operand's length.
    auto axesType = rankedOf(dynamic);
    if (axesType.getRank() != 1 || axesType.isDynamicDim(0) || axesType.getDimSize(0) > rank)
      return emitOptionalError(loc, "Squeeze: computed axes need a static length (at most ",
                               rank, ")");
    results.push_back(tensorOf(SmallVector<int64_t>(rank - axesType.getDimSize(0), kDyn),
                               input.getElementType()));
    return success();
  }
  llvm::SmallBitVector drop(rank);
  for (int64_t axis : adaptor.getAxes()) {
    auto norm = normalizeAxis(axis, rank);
    if (!norm)
      return emitOptionalError(loc, "Squeeze: axis ", axis,
                               " is out of range for rank ", rank);
    int64_t d = input.getDimSize(*norm);
    if (!ShapedType::isDynamic(d) && d != 1)
      return emitOptionalError(loc, "Squeeze: axis ", axis, " has size ", d,
                               ", not 1");
    drop.set(*norm);
  }
  if (adaptor.getAxes().empty())
    for (int64_t i = 0; i < rank; ++i)
      if (input.getDimSize(i) == 1)
        drop.set(i);
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop.test(i))
      shape.push_back(input.getDimSize(i));
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  if (Value dynamic = adaptor.getDynamicAxes()) {
    auto axesType = rankedOf(dynamic);
    if (axesType.getRank() != 1 || axesType.isDynamicDim(0))
      return emitOptionalError(loc, "Unsqueeze: computed axes need a static length");
    results.push_back(tensorOf(SmallVector<int64_t>(input.getRank() + axesType.getDimSize(0), kDyn),
                               input.getElementType()));
    return success();
  }
  int64_t outRank = input.getRank() + adaptor.getAxes().size();
  llvm::SmallBitVector inserted(outRank);
  for (int64_t axis : adaptor.getAxes()) {
    auto norm = normalizeAxis(axis, outRank);
    if (!norm || inserted.test(*norm))
      return emitOptionalError(loc, "Unsqueeze: axis ", axis,
                               " is out of range or repeated (result rank ",
                               outRank, ")");
    inserted.set(*norm);
  }
  SmallVector<int64_t> shape;
  int64_t next = 0;
  for (int64_t i = 0; i < outRank; ++i)
    shape.push_back(inserted.test(i) ? 1 : input.getDimSize(next++));
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "Concat: needs at least one input");
  auto first = rankedOf(adaptor.getInputs()[0]);
  int64_t rank = first.getRank();
  auto axis = normalizeAxis(adaptor.getAxis(), rank);
  if (!axis)
    return emitOptionalError(loc, "Concat: axis ", adaptor.getAxis(),
                             " is out of range for rank ", rank);
  SmallVector<int64_t> shape(first.getShape());
  for (Value v : adaptor.getInputs().drop_front()) {
    auto type = rankedOf(v);
    if (type.getRank() != rank || type.getElementType() != first.getElementType())
      return emitOptionalError(loc, "Concat: all inputs need rank ", rank,
                               " and element type ", first.getElementType());
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = type.getDimSize(i);
      if (i == *axis) {
        shape[i] = dynAware(shape[i], d, [&] { return shape[i] + d; });
      } else if (ShapedType::isDynamic(shape[i])) {
        shape[i] = d;
      } else if (!ShapedType::isDynamic(d) && d != shape[i]) {
        return emitOptionalError(loc, "Concat: inputs ", formatShape(first.getShape()),
                                 " and ", formatShape(type.getShape()),
                                 " differ on axis ", i, ", which is not the concat axis");
      }
    }
  }
  results.push_back(tensorOf(shape, first.getElementType()));
  return success();
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  auto axis = normalizeAxis(adaptor.getAxis(), input.getRank());
  if (!axis)
    return emitOptionalError(loc, "Split: axis ", adaptor.getAxis(),
                             " is out of range for rank ", input.getRank());
  if (Value dynamic = adaptor.getDynamicSplit()) {
    auto splitType = rankedOf(dynamic);
    if (splitType.getRank() != 1 || splitType.isDynamicDim(0))
      return emitOptionalError(loc, "Split: computed sizes need a static count");
    SmallVector<int64_t> shape(input.getShape());
    shape[*axis] = kDyn;
    for (int64_t i = 0; i < splitType.getDimSize(0); ++i)
      results.push_back(tensorOf(shape, input.getElementType()));
    return success();
  }
  int64_t total = 0;
  for (int64_t size : adaptor.getSplit()) {
    if (size < 0)
      return emitOptionalError(loc, "Split: split sizes must be >= 0");
    total += size;
  }
  int64_t d = input.getDimSize(*axis);
  if (!ShapedType::isDynamic(d) && total != d)
    return emitOptionalError(loc, "Split: sizes ", formatShape(adaptor.getSplit()),
                             " add up to ", total, " but axis ", *axis,
                             " has size ", d);
  for (int64_t size : adaptor.getSplit()) {
    SmallVector<int64_t> shape(input.getShape());
    shape[*axis] = size;
    results.push_back(tensorOf(shape, input.getElementType()));
  }
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t rank = input.getRank();
  auto starts = adaptor.getStarts(), ends = adaptor.getEnds();
  auto axes = adaptor.getAxes(), steps = adaptor.getSteps();
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return emitOptionalError(loc, "Slice: starts, ends, axes and steps must "
                             "have the same length");
  SmallVector<int64_t> shape(input.getShape());
  llvm::SmallBitVector seen(rank);
  for (size_t i = 0; i < starts.size(); ++i) {
    auto axis = normalizeAxis(axes[i], rank);
    if (!axis || seen.test(*axis))
      return emitOptionalError(loc, "Slice: axis ", axes[i],
                               " is out of range or repeated");
    seen.set(*axis);
    if (steps[i] == 0)
      return emitOptionalError(loc, "Slice: step must not be 0");
    int64_t d = input.getDimSize(*axis);
    if (ShapedType::isDynamic(d)) {
      shape[*axis] = kDyn;
      continue;
    }
    // Clamp like ONNX: into [0, d] for positive steps, [-1, d-1] for negative.
    auto clampIndex = [&](int64_t v, bool isEnd) {
      if (v < 0)
        v += d;
      if (steps[i] > 0)
        return std::clamp<int64_t>(v, 0, d);
      return std::clamp<int64_t>(v, isEnd ? -1 : 0, d - 1);
    };
    int64_t s = clampIndex(starts[i], false), e = clampIndex(ends[i], true);
    int64_t count = steps[i] > 0 ? (e - s + steps[i] - 1) / steps[i]
                                 : (s - e + (-steps[i]) - 1) / (-steps[i]);
    shape[*axis] = std::max<int64_t>(0, count);
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto data = rankedOf(adaptor.getData()), indices = rankedOf(adaptor.getIndices());
  auto axis = normalizeAxis(adaptor.getAxis(), data.getRank());
  if (!axis)
    return emitOptionalError(loc, "Gather: axis ", adaptor.getAxis(),
                             " is out of range for rank ", data.getRank());
  SmallVector<int64_t> shape(data.getShape().take_front(*axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, data.getShape().drop_front(*axis + 1));
  results.push_back(tensorOf(shape, data.getElementType()));
  return success();
}

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location>, Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  int64_t rank = rankedOf(adaptor.getInput()).getRank();
  auto clampAxis = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  int64_t start = clampAxis(adaptor.getStart());
  int64_t end = clampAxis(adaptor.getEnd().value_or(rank));
  results.push_back(tensorOf({std::max<int64_t>(0, end - start)},
                             IntegerType::get(context, 64)));
  return success();
}

LogicalResult SizeOp::inferReturnTypes(MLIRContext *context, std::optional<Location>,
                                       Adaptor, SmallVectorImpl<Type> &results) {
  results.push_back(tensorOf({}, IntegerType::get(context, 64)));
  return success();
}

namespace {
// Result shape of an op whose target shape is a constant operand.
FailureOr<SmallVector<int64_t>> shapeOperand(std::optional<Location> loc,
                                             StringRef opName, Value shape) {
  auto type = rankedOf(shape);
  if (type.getRank() != 1)
    return emitOptionalError(loc, opName, ": the shape operand must be 1-D, got ",
                             formatShape(type.getShape()));
  if (auto ints = getConstantInts(shape))
    return *ints;
  if (type.isDynamicDim(0))
    return emitOptionalError(loc, opName, ": the shape operand must have a "
                             "static length");
  return SmallVector<int64_t>(type.getDimSize(0), kDyn);
}
} // namespace

LogicalResult ConstantOfShapeOp::inferReturnTypes(MLIRContext *,
                                                  std::optional<Location> loc,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &results) {
  auto value = cast<ElementsAttr>(adaptor.getValue());
  if (value.getNumElements() != 1)
    return emitOptionalError(loc, "ConstantOfShape: value must hold one element");
  auto shape = shapeOperand(loc, "ConstantOfShape", adaptor.getShape());
  if (failed(shape))
    return failure();
  for (int64_t d : *shape)
    if (d < 0 && !ShapedType::isDynamic(d))
      return emitOptionalError(loc, "ConstantOfShape: negative dimension in ",
                               formatShape(*shape));
  results.push_back(tensorOf(*shape, value.getElementType()));
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  auto shape = shapeOperand(loc, "Expand", adaptor.getShape());
  if (failed(shape))
    return failure();
  auto result = broadcastShapes(input.getShape(), *shape);
  if (failed(result))
    return emitOptionalError(loc, "Expand: input ", formatShape(input.getShape()),
                             " cannot be broadcast to ", formatShape(*shape));
  results.push_back(tensorOf(*result, input.getElementType()));
  return success();
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  auto repeats = shapeOperand(loc, "Tile", adaptor.getRepeats());
  if (failed(repeats))
    return failure();
  if ((int64_t)repeats->size() != input.getRank())
    return emitOptionalError(loc, "Tile: repeats has ", repeats->size(),
                             " entries but the input has rank ", input.getRank());
  SmallVector<int64_t> shape;
  for (auto [d, r] : llvm::zip(input.getShape(), *repeats)) {
    if (!ShapedType::isDynamic(r) && r < 0)
      return emitOptionalError(loc, "Tile: repeats must be >= 0");
    shape.push_back(dynAware(d, r, [&] { return d * r; }));
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  int64_t rank = input.getRank();
  auto pads = adaptor.getPads();
  StringRef padMode = adaptor.getMode();
  if (padMode != "constant" && padMode != "reflect" && padMode != "edge" && padMode != "wrap")
    return emitOptionalError(loc, "Pad: mode '", padMode,
                             "' is not one of constant, reflect, edge, wrap");
  if (Value dynamic = adaptor.getDynamicPads()) {
    auto padsType = rankedOf(dynamic);
    if (padsType.getRank() != 1 ||
        (!padsType.isDynamicDim(0) && padsType.getDimSize(0) != 2 * rank))
      return emitOptionalError(loc, "Pad: pads must hold ", 2 * rank, " values");
    results.push_back(tensorOf(SmallVector<int64_t>(rank, kDyn), input.getElementType()));
    return success();
  }
  if ((int64_t)pads.size() != 2 * rank)
    return emitOptionalError(loc, "Pad: pads has ", pads.size(),
                             " values but needs ", 2 * rank,
                             " (begins then ends of every axis)");
  StringRef mode = padMode;
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = input.getDimSize(i);
    int64_t out = ShapedType::isDynamic(d) ? kDyn : d + pads[i] + pads[i + rank];
    if (!ShapedType::isDynamic(out) && out < 0)
      return emitOptionalError(loc, "Pad: negative pads crop more than axis ",
                               i, " holds");
    if (mode == "reflect" && !ShapedType::isDynamic(d) &&
        (pads[i] >= d || pads[i + rank] >= d))
      return emitOptionalError(loc, "Pad: reflect pads must be smaller than "
                               "the axis size on axis ", i);
    shape.push_back(out);
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto input = rankedOf(adaptor.getInput());
  auto scales = adaptor.getScales();
  StringRef mode = adaptor.getMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOptionalError(loc, "Resize: mode '", mode,
                             "' is not one of nearest, linear, cubic");
  if (adaptor.getDynamicScales() || adaptor.getDynamicSizes()) {
    results.push_back(tensorOf(SmallVector<int64_t>(input.getRank(), kDyn),
                               input.getElementType()));
    return success();
  }
  if ((int64_t)scales.size() != input.getRank())
    return emitOptionalError(loc, "Resize: scales has ", scales.size(),
                             " values but the input has rank ", input.getRank());
  SmallVector<int64_t> shape;
  if (auto sizes = adaptor.getSizes()) {
    if ((int64_t)sizes->size() != input.getRank())
      return emitOptionalError(loc, "Resize: sizes must have one entry per axis");
    shape.assign(sizes->begin(), sizes->end());
  } else {
    for (auto [d, s] : llvm::zip(input.getShape(), scales)) {
      if (s <= 0)
        return emitOptionalError(loc, "Resize: scales must be > 0");
      shape.push_back(ShapedType::isDynamic(d)
                          ? kDyn
                          : static_cast<int64_t>(std::floor(d * s + 1e-9)));
    }
  }
  results.push_back(tensorOf(shape, input.getElementType()));
  return success();
}

// Axes known at run time only: with keepdims the rank stays; without, the
// axes operand must have a static length (its entries are distinct).
static LogicalResult inferDynamicReduce(std::optional<Location> loc, StringRef opName,
                                        Value input, Value axes, bool keepdims,
                                        SmallVectorImpl<Type> &results) {
  auto type = rankedOf(input);
  auto axesType = rankedOf(axes);
  if (keepdims) {
    results.push_back(tensorOf(SmallVector<int64_t>(type.getRank(), kDyn), type.getElementType()));
    return success();
  }
  if (axesType.isDynamicDim(0) || axesType.getDimSize(0) == 0)
    return emitOptionalError(loc, opName, ": computed axes with keepdims = 0 need a "
                             "static, nonzero count");
  results.push_back(tensorOf(SmallVector<int64_t>(type.getRank() - axesType.getDimSize(0), kDyn),
                             type.getElementType()));
  return success();
}

#define NN_REDUCE_INFER(OP, NAME)                                              \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    if (Value axes = adaptor.getDynamicAxes())                                 \
      return inferDynamicReduce(loc, NAME, adaptor.getInput(), axes,           \
                                adaptor.getKeepdims() != 0, results);          \
    return inferReduce(loc, NAME, adaptor.getInput(), adaptor.getAxes(),       \
                       adaptor.getKeepdims() != 0,                             \
                       adaptor.getNoopWithEmptyAxes() != 0, results);          \
  }
NN_REDUCE_INFER(ReduceMeanOp, "ReduceMean")
NN_REDUCE_INFER(ReduceSumOp, "ReduceSum")
NN_REDUCE_INFER(ReduceMaxOp, "ReduceMax")
NN_REDUCE_INFER(ReduceMinOp, "ReduceMin")
NN_REDUCE_INFER(ReduceProdOp, "ReduceProd")
NN_REDUCE_INFER(ReduceL1Op, "ReduceL1")
NN_REDUCE_INFER(ReduceL2Op, "ReduceL2")
NN_REDUCE_INFER(ReduceLogSumOp, "ReduceLogSum")
NN_REDUCE_INFER(ReduceLogSumExpOp, "ReduceLogSumExp")
NN_REDUCE_INFER(ReduceSumSquareOp, "ReduceSumSquare")
#undef NN_REDUCE_INFER

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getValue());
  if (!value)
    return emitOptionalError(loc, "Constant: value must be a tensor");
  results.push_back(value.getType());
  return success();
}

} // namespace openopt::nn

//===----------------------------------------------------------------------===//
// Inferred vs. declared result types: a dynamic inferred dimension accepts any
// declared size (shapes computed at run time, specialised inputs).
//===----------------------------------------------------------------------===//

namespace openopt::nn {
static bool compatibleResults(TypeRange inferred, TypeRange declared) {
  if (inferred.size() != declared.size())
    return false;
  for (auto [i, d] : llvm::zip(inferred, declared)) {
    auto it = dyn_cast<RankedTensorType>(i), dt = dyn_cast<RankedTensorType>(d);
    if (!it || !dt)
      return i == d;
    if (it.getElementType() != dt.getElementType() || it.getRank() != dt.getRank())
      return false;
    for (auto [a, b] : llvm::zip(it.getShape(), dt.getShape()))
      if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
        return false;
  }
  return true;
}

#define NN_COMPATIBLE(OP)                                                      \
  bool OP::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                 \
    return compatibleResults(l, r);                                            \
  }
NN_COMPATIBLE(AddOp) NN_COMPATIBLE(SubOp) NN_COMPATIBLE(MulOp) NN_COMPATIBLE(DivOp)
NN_COMPATIBLE(PowOp) NN_COMPATIBLE(MinOp) NN_COMPATIBLE(MaxOp) NN_COMPATIBLE(EqualOp)
NN_COMPATIBLE(LessOp) NN_COMPATIBLE(GreaterOp) NN_COMPATIBLE(WhereOp)
NN_COMPATIBLE(MatMulOp) NN_COMPATIBLE(GemmOp) NN_COMPATIBLE(ConvOp)
NN_COMPATIBLE(ConvTransposeOp) NN_COMPATIBLE(BatchNormOp) NN_COMPATIBLE(LayerNormOp)
NN_COMPATIBLE(MaxPoolOp) NN_COMPATIBLE(AveragePoolOp) NN_COMPATIBLE(GlobalAveragePoolOp)
NN_COMPATIBLE(FlattenOp) NN_COMPATIBLE(ReshapeOp) NN_COMPATIBLE(TransposeOp)
NN_COMPATIBLE(SqueezeOp) NN_COMPATIBLE(UnsqueezeOp) NN_COMPATIBLE(ConcatOp)
NN_COMPATIBLE(SplitOp) NN_COMPATIBLE(SliceOp) NN_COMPATIBLE(GatherOp) NN_COMPATIBLE(ShapeOp)
NN_COMPATIBLE(SizeOp) NN_COMPATIBLE(ConstantOfShapeOp) NN_COMPATIBLE(ExpandOp)
NN_COMPATIBLE(TileOp) NN_COMPATIBLE(PadOp) NN_COMPATIBLE(ResizeOp)
NN_COMPATIBLE(ReduceMeanOp) NN_COMPATIBLE(ReduceSumOp) NN_COMPATIBLE(ReduceMaxOp)
NN_COMPATIBLE(ConstantOp)
NN_COMPATIBLE(GreaterOrEqualOp) NN_COMPATIBLE(LessOrEqualOp) NN_COMPATIBLE(AndOp)
NN_COMPATIBLE(OrOp) NN_COMPATIBLE(XorOp) NN_COMPATIBLE(PReluOp) NN_COMPATIBLE(ModOp)
NN_COMPATIBLE(BitShiftOp) NN_COMPATIBLE(IsNaNOp) NN_COMPATIBLE(IsInfOp)
NN_COMPATIBLE(ReduceMinOp) NN_COMPATIBLE(ReduceProdOp) NN_COMPATIBLE(ReduceL1Op)
NN_COMPATIBLE(ReduceL2Op) NN_COMPATIBLE(ReduceLogSumOp) NN_COMPATIBLE(ReduceLogSumExpOp)
NN_COMPATIBLE(ReduceSumSquareOp) NN_COMPATIBLE(ArgMaxOp) NN_COMPATIBLE(ArgMinOp)
NN_COMPATIBLE(NllLossOp) NN_COMPATIBLE(DynamicSliceOp)
NN_COMPATIBLE(GatherElementsOp) NN_COMPATIBLE(ScatterElementsOp) NN_COMPATIBLE(GatherNDOp)
NN_COMPATIBLE(ScatterNDOp) NN_COMPATIBLE(OneHotOp) NN_COMPATIBLE(CompressOp)
NN_COMPATIBLE(NonZeroOp) NN_COMPATIBLE(UniqueOp) NN_COMPATIBLE(TopKOp) NN_COMPATIBLE(CumSumOp)
NN_COMPATIBLE(TriluOp) NN_COMPATIBLE(RangeOp) NN_COMPATIBLE(NonMaxSuppressionOp)
NN_COMPATIBLE(ReverseSequenceOp)
NN_COMPATIBLE(InstanceNormOp) NN_COMPATIBLE(MaxPoolWithIndicesOp) NN_COMPATIBLE(MaxUnpoolOp)
NN_COMPATIBLE(RoiAlignOp) NN_COMPATIBLE(GridSampleOp) NN_COMPATIBLE(EinsumOp)
NN_COMPATIBLE(DetOp) NN_COMPATIBLE(RandomOp) NN_COMPATIBLE(RnnOp) NN_COMPATIBLE(GruOp)
NN_COMPATIBLE(LstmOp) NN_COMPATIBLE(DftOp) NN_COMPATIBLE(StftOp)
#undef NN_COMPATIBLE
} // namespace openopt::nn
