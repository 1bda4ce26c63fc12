//===- Folders.cpp - folding of nn ops -------------------------------------===//
//
// Folds what is free to fold: no-op data movement, and the small integer
// shape computations that exporters emit (Shape -> Gather -> Concat ->
// Reshape). Large weights are never folded here.
//
//===----------------------------------------------------------------------===//
#include "openopt/Dialect/NN/NNDialect.h"
#include "openopt/Dialect/NN/ShapeUtils.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

using namespace mlir;
using namespace openopt::nn;

namespace {
// Shape computations are tiny; anything bigger is left to the constant
// folding pass, which has a size limit.
constexpr int64_t kMaxFoldElements = 256;

DenseElementsAttr smallDense(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldElements)
    return nullptr;
  return dense;
}

Attribute i64Tensor(MLIRContext *ctx, ArrayRef<int64_t> values,
                    ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, IntegerType::get(ctx, 64));
  return DenseElementsAttr::get(type, values);
}

SmallVector<int64_t> intsOf(DenseElementsAttr dense) {
  SmallVector<int64_t> values;
  for (const APInt &v : dense.getValues<APInt>())
    values.push_back(v.getSExtValue());
  return values;
}

// Reshape-like ops keep the elements in order.
OpFoldResult foldReshapeLike(Value input, Attribute inputAttr, Type result) {
  auto type = cast<RankedTensorType>(result);
  // Equal dynamic types may still hold different shapes at run time.
  if (input.getType() == type && type.hasStaticShape())
    return input;
  if (auto dense = smallDense(inputAttr))
    if (type.hasStaticShape())
      return dense.reshape(type);
  return {};
}
} // namespace

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }
OpFoldResult DropoutOp::fold(FoldAdaptor) { return getInput(); }
OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Element-wise ops on small constants (the shape arithmetic of exported
// graphs: Sub(Rank, Axis), Equal(shape, 0), Where(...), Cast(shape)).
//===----------------------------------------------------------------------===//

namespace {
// One constant element: floats as double, integers as int64 (unsigned types
// zero-extended), booleans as 0/1.
struct Scalar {
  double f = 0;
  int64_t i = 0;
};

std::optional<SmallVector<Scalar>> scalarsOf(Attribute attr) {
  auto dense = smallDense(attr);
  if (!dense)
    return std::nullopt;
  SmallVector<Scalar> values;
  Type element = dense.getElementType();
  if (isa<FloatType>(element)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back({v.convertToDouble(), 0});
  } else {
    bool isUnsigned = element.isUnsignedInteger() || element.isInteger(1);
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back({0, isUnsigned ? (int64_t)v.getZExtValue() : v.getSExtValue()});
  }
  return values;
}

// Row-major index into an operand of `shape` broadcast to `result`.
int64_t broadcastIndex(int64_t flat, ArrayRef<int64_t> result, ArrayRef<int64_t> shape) {
  int64_t index = 0, stride = 1;
  for (int64_t d = (int64_t)result.size() - 1; d >= 0; --d) {
    int64_t coord = flat % result[d];
    flat /= result[d];
    int64_t od = d - ((int64_t)result.size() - (int64_t)shape.size());
    if (od < 0)
      continue;
    if (shape[od] != 1)
      index += coord * stride;
    stride *= shape[od];
  }
  return index;
}

Attribute denseOf(RankedTensorType type, ArrayRef<Scalar> values) {
  Type element = type.getElementType();
  if (auto f = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> out;
    for (const Scalar &v : values) {
      APFloat x(v.f);
      bool lost;
      x.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(x);
    }
    return DenseElementsAttr::get(type, out);
  }
  if (element.isInteger(1)) {
    SmallVector<bool> out;
    for (const Scalar &v : values)
      out.push_back(v.i != 0);
    return DenseElementsAttr::get(type, out);
  }
  SmallVector<APInt> out;
  for (const Scalar &v : values)
    out.push_back(APInt(element.getIntOrFloatBitWidth(), (uint64_t)v.i, /*isSigned=*/true,
                        /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, out);
}

// Folds an element-wise op whose operands are all small constants;
// `compute` returns nullopt to give up (division by zero, ...).
Attribute foldElementwise(ArrayRef<Attribute> operands, ArrayRef<Type> operandTypes,
                          Type resultType,
                          llvm::function_ref<std::optional<Scalar>(ArrayRef<Scalar>, bool)> compute) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.hasStaticShape() || type.getNumElements() > kMaxFoldElements)
    return {};
  SmallVector<SmallVector<Scalar>> values;
  SmallVector<ArrayRef<int64_t>> shapes;
  for (auto [attr, t] : llvm::zip(operands, operandTypes)) {
    auto v = scalarsOf(attr);
    auto rt = dyn_cast<RankedTensorType>(t);
    if (!v || !rt || !rt.hasStaticShape())
      return {};
    values.push_back(std::move(*v));
    shapes.push_back(rt.getShape());
  }
  bool isFloat = !operandTypes.empty() &&
                 isa<FloatType>(cast<RankedTensorType>(operandTypes[0]).getElementType());
  // Float tensors are openopt-fold-constants' job (with its size limit);
  // here only float scalars fold (bounds such as Clip's min and max).
  if ((isFloat || isa<FloatType>(type.getElementType())) && type.getNumElements() > 1)
    return {};
  SmallVector<Scalar> out;
  for (int64_t flat = 0; flat < type.getNumElements(); ++flat) {
    SmallVector<Scalar> args;
    for (auto [v, shape] : llvm::zip(values, shapes))
      args.push_back(v[broadcastIndex(flat, type.getShape(), shape)]);
    auto r = compute(args, isFloat);
    if (!r)
      return {};
    out.push_back(*r);
  }
  return denseOf(type, out);
}

std::optional<Scalar> arith2(ArrayRef<Scalar> a, bool isFloat, char op) {
  Scalar r;
  if (isFloat) {
    double x = a[0].f, y = a[1].f;
    switch (op) {
    case '+': r.f = x + y; break;
    case '-': r.f = x - y; break;
    case '*': r.f = x * y; break;
    case '/': r.f = x / y; break;
    case '^': r.f = std::pow(x, y); break;
    case 'm': r.f = std::min(x, y); break;
    case 'M': r.f = std::max(x, y); break;
    default: return std::nullopt;
    }
    return r;
  }
  int64_t x = a[0].i, y = a[1].i;
  switch (op) {
  case '+': r.i = x + y; break;
  case '-': r.i = x - y; break;
  case '*': r.i = x * y; break;
  case '/':
    if (y == 0)
      return std::nullopt;
    r.i = x / y;
    break;
  case 'm': r.i = std::min(x, y); break;
  case 'M': r.i = std::max(x, y); break;
  default: return std::nullopt;
  }
  return r;
}

std::optional<Scalar> compare(ArrayRef<Scalar> a, bool isFloat, StringRef op) {
  double x = isFloat ? a[0].f : (double)a[0].i, y = isFloat ? a[1].f : (double)a[1].i;
  bool r = op == "eq" ? x == y : op == "lt" ? x < y : op == "gt" ? x > y : op == "le" ? x <= y : x >= y;
  return Scalar{0, r ? 1 : 0};
}

std::optional<Scalar> logic(ArrayRef<Scalar> a, char op) {
  bool x = a[0].i != 0, y = a[1].i != 0;
  bool r = op == '&' ? (x && y) : op == '|' ? (x || y) : (x != y);
  return Scalar{0, r ? 1 : 0};
}
} // namespace

#define NN_FOLD_BINARY(OP, BODY)                                                   \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                     \
    return foldElementwise({adaptor.getLhs(), adaptor.getRhs()},                   \
                           {getLhs().getType(), getRhs().getType()}, getType(),    \
                           [&](ArrayRef<Scalar> a, bool isFloat) -> std::optional<Scalar> { \
                             (void)isFloat;                                        \
                             return BODY;                                          \
                           });                                                     \
  }
NN_FOLD_BINARY(AddOp, arith2(a, isFloat, '+'))
NN_FOLD_BINARY(SubOp, arith2(a, isFloat, '-'))
NN_FOLD_BINARY(MulOp, arith2(a, isFloat, '*'))
NN_FOLD_BINARY(DivOp, arith2(a, isFloat, '/'))
NN_FOLD_BINARY(PowOp, arith2(a, isFloat, '^'))
NN_FOLD_BINARY(MinOp, arith2(a, isFloat, 'm'))
NN_FOLD_BINARY(MaxOp, arith2(a, isFloat, 'M'))
NN_FOLD_BINARY(EqualOp, compare(a, isFloat, "eq"))
NN_FOLD_BINARY(LessOp, compare(a, isFloat, "lt"))
NN_FOLD_BINARY(GreaterOp, compare(a, isFloat, "gt"))
NN_FOLD_BINARY(LessOrEqualOp, compare(a, isFloat, "le"))
NN_FOLD_BINARY(GreaterOrEqualOp, compare(a, isFloat, "ge"))
NN_FOLD_BINARY(AndOp, logic(a, '&'))
NN_FOLD_BINARY(OrOp, logic(a, '|'))
NN_FOLD_BINARY(XorOp, logic(a, '^'))
NN_FOLD_BINARY(PReluOp, std::optional<Scalar>())
#undef NN_FOLD_BINARY

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  return foldElementwise({adaptor.getCondition(), adaptor.getX(), adaptor.getY()},
                         {getCondition().getType(), getX().getType(), getY().getType()},
                         getType(), [](ArrayRef<Scalar> a, bool) -> std::optional<Scalar> {
                           return a[0].i ? a[1] : a[2];
                         });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldElementwise({adaptor.getInput()}, {getInput().getType()}, getType(),
                         [](ArrayRef<Scalar> a, bool) -> std::optional<Scalar> {
                           return Scalar{-a[0].f, -a[0].i};
                         });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  return foldElementwise({adaptor.getInput()}, {getInput().getType()}, getType(),
                         [](ArrayRef<Scalar> a, bool) -> std::optional<Scalar> {
                           return Scalar{0, a[0].i ? 0 : 1};
                         });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  Type from = getInput().getType().getElementType(), to = getType().getElementType();
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  return foldElementwise({adaptor.getInput()}, {getInput().getType()}, getType(),
                         [&](ArrayRef<Scalar> a, bool) -> std::optional<Scalar> {
                           Scalar r;
                           if (fromFloat && toFloat)
                             r.f = a[0].f;
                           else if (fromFloat && to.isInteger(1))
                             r.i = a[0].f != 0;
                           else if (fromFloat)
                             r.i = std::isfinite(a[0].f) ? (int64_t)a[0].f : 0;
                           else if (toFloat)
                             r.f = (double)a[0].i;
                           else
                             r.i = to.isInteger(1) ? (a[0].i != 0) : a[0].i;
                           return r;
                         });
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getData(), adaptor.getData(), getType());
}
OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getType());
}
OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getType());
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  auto start = dyn_cast_or_null<DenseElementsAttr>(adaptor.getStart());
  auto limit = dyn_cast_or_null<DenseElementsAttr>(adaptor.getLimit());
  auto delta = dyn_cast_or_null<DenseElementsAttr>(adaptor.getDelta());
  auto type = getType();
  if (!start || !limit || !delta || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  Type element = type.getElementType();
  if (auto f = dyn_cast<FloatType>(element)) {
    double s = (*start.getValues<APFloat>().begin()).convertToDouble();
    double d = (*delta.getValues<APFloat>().begin()).convertToDouble();
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      APFloat v(s + i * d);
      bool lost;
      v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(type, values);
  }
  int64_t s = (*start.getValues<APInt>().begin()).getSExtValue();
  int64_t d = (*delta.getValues<APInt>().begin()).getSExtValue();
  SmallVector<APInt> values;
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    values.push_back(APInt(element.getIntOrFloatBitWidth(), s + i * d, /*isSigned=*/true));
  return DenseElementsAttr::get(type, values);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())))
    return getInput();
  // A transpose of a splat is the same splat.
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (dense.isSplat())
      return dense.resizeSplat(getType());
  // Small integer constants (shape arithmetic) are permuted here.
  auto data = smallDense(adaptor.getInput());
  auto inType = getInput().getType();
  if (!data || !inType.hasStaticShape() || !data.getElementType().isInteger(64))
    return {};
  SmallVector<int64_t> values = intsOf(data), out;
  auto outShape = getType().getShape();
  int64_t rank = inType.getRank();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * inType.getDimSize(d + 1);
  for (int64_t flat = 0, total = getType().getNumElements(); flat < total; ++flat) {
    int64_t rest = flat, source = 0;
    for (int64_t d = rank - 1; d >= 0; --d) {
      source += (rest % outShape[d]) * inStrides[getPerm()[d]];
      rest /= outShape[d];
    }
    out.push_back(values[source]);
  }
  return i64Tensor(getContext(), out, outShape);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto type = getInput().getType();
  auto outLen = getType().getDimSize(0);
  int64_t rank = type.getRank();
  int64_t start = getStart(); // I64Attr getters return uint64_t
  if (start < 0)
    start += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  ArrayRef<int64_t> dims = type.getShape().slice(start, outLen);
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return {};
  return i64Tensor(getContext(), dims, {outLen});
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  auto count = staticElementCount(getInput().getType().getShape());
  if (!count)
    return {};
  return i64Tensor(getContext(), {*count}, {});
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor adaptor) {
  auto type = getType();
  if (!type.hasStaticShape())
    return {};
  auto value = dyn_cast<DenseElementsAttr>(adaptor.getValue());
  if (!value)
    return {};
  return DenseElementsAttr::get(type, value.getSplatValue<Attribute>());
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  // Only 1-D integer concatenations (shape vectors) are folded.
  if (getType().getRank() != 1 || !getType().getElementType().isInteger(64))
    return {};
  SmallVector<int64_t> values;
  for (Attribute operand : adaptor.getInputs()) {
    auto dense = smallDense(operand);
    if (!dense)
      return {};
    llvm::append_range(values, intsOf(dense));
  }
  return i64Tensor(getContext(), values, {(int64_t)values.size()});
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = smallDense(adaptor.getData());
  auto indices = smallDense(adaptor.getIndices());
  if (!data || !indices || getData().getType().getRank() != 1 ||
      !data.getElementType().isInteger(64))
    return {};
  SmallVector<int64_t> values = intsOf(data), picked;
  int64_t size = values.size();
  for (int64_t index : intsOf(indices)) {
    if (index < -size || index >= size)
      return {};
    picked.push_back(values[index < 0 ? index + size : index]);
  }
  return i64Tensor(getContext(), picked, getType().getShape());
}

// A 1-D i64 constant (shape arithmetic) splits into constants.
LogicalResult SplitOp::fold(FoldAdaptor adaptor, SmallVectorImpl<OpFoldResult> &results) {
  auto data = smallDense(adaptor.getInput());
  if (!data || getDynamicSplit() || getInput().getType().getRank() != 1 ||
      !data.getElementType().isInteger(64))
    return failure();
  SmallVector<int64_t> values = intsOf(data);
  size_t at = 0;
  SmallVector<OpFoldResult> parts;
  for (Value out : getOutputs()) {
    auto type = cast<RankedTensorType>(out.getType());
    if (!type.hasStaticShape() || at + type.getDimSize(0) > values.size())
      return failure();
    parts.push_back(i64Tensor(getContext(), ArrayRef(values).slice(at, type.getDimSize(0)),
                              type.getShape()));
    at += type.getDimSize(0);
  }
  results.append(parts.begin(), parts.end());
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape() &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }) &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }))
    return getInput();
  // Small integer constants of any rank (shape arithmetic such as PyTorch's
  // pad-list reversal: reshape to [-1, 2], slice backwards, flatten).
  auto data = smallDense(adaptor.getInput());
  auto inType = getInput().getType();
  if (!data || !getType().hasStaticShape() || !inType.hasStaticShape() ||
      !data.getElementType().isInteger(64))
    return {};
  int64_t rank = inType.getRank();
  SmallVector<int64_t> start(rank, 0), step(rank, 1);
  for (auto [i, axisAttr] : llvm::enumerate(getAxes())) {
    int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
    if (axis < 0 || axis >= rank)
      return {};
    int64_t size = inType.getDimSize(axis), st = getSteps()[i];
    int64_t b = getStarts()[i] < 0 ? getStarts()[i] + size : getStarts()[i];
    start[axis] = st > 0 ? std::clamp<int64_t>(b, 0, size) : std::clamp<int64_t>(b, 0, size - 1);
    step[axis] = st;
  }
  SmallVector<int64_t> values = intsOf(data), picked;
  auto outShape = getType().getShape();
  SmallVector<int64_t> index(rank, 0);
  for (int64_t flat = 0, total = getType().getNumElements(); flat < total; ++flat) {
    int64_t rest = flat, source = 0, stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      index[d] = rest % outShape[d];
      rest /= outShape[d];
    }
    for (int64_t d = rank - 1; d >= 0; --d) {
      int64_t at = start[d] + index[d] * step[d];
      if (at < 0 || at >= inType.getDimSize(d))
        return {};
      source += at * stride;
      stride *= inType.getDimSize(d);
    }
    picked.push_back(values[source]);
  }
  return i64Tensor(getContext(), picked, getType().getShape());
}
